using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Organization.Update;

/// <summary>Only the fields present change.</summary>
public sealed class Request
{
    public string? Name { get; init; }

    public string? Slug { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r).Must(r => r.Name is not null || r.Slug is not null)
            .OverridePropertyName("request").WithMessage("Send at least one of name, slug.");
        RuleFor(r => r.Name!).DisplayText(200).When(r => r.Name is not null);
        RuleFor(r => r.Slug!).MaximumLength(100).WithMessage("Must be at most 100 characters.").Matches("^[a-z0-9]+(-[a-z0-9]+)*$")
            .WithMessage("A slug is lowercase letters and digits in groups joined by single hyphens.")
            .When(r => r.Slug is not null);
    }
}

public sealed record Response(Guid Id, string Name, string Slug, DateTime CreatedAt, DateTime UpdatedAt);
