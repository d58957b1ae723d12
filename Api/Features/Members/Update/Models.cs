using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Tenancy;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Members.Update;

/// <summary>Only the fields present change.</summary>
public sealed class Request
{
    /// <summary>The member's id (user_profiles.id), from the route.</summary>
    public Guid Id { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>OWNER, ADMIN, MEMBER or VIEWER.</summary>
    public string? Role { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r).Must(r => r.DisplayName is not null || r.Role is not null)
            .OverridePropertyName("request").WithMessage("Send at least one of displayName, role.");
        RuleFor(r => r.DisplayName!).DisplayText(100).When(r => r.DisplayName is not null);
        RuleFor(r => r.Role).Must(role => OrgRoles.All.Contains(role!))
            .WithMessage($"Must be one of {string.Join(", ", OrgRoles.All)}.")
            .When(r => r.Role is not null);
    }
}
