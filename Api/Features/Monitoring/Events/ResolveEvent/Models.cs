using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.Events.ResolveEvent;

public sealed class Request
{
    /// <summary>The event's id, from the route.</summary>
    public Guid Id { get; init; }

    public string? ResolutionNotes { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator() =>
        RuleFor(r => r.ResolutionNotes!).MaximumLength(4000).When(r => r.ResolutionNotes is not null);
}
