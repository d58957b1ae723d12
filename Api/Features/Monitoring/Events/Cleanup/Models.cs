using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.Events.Cleanup;

public sealed class Request
{
    /// <summary>Keep resolved events this many days (default 30).</summary>
    public int? ResolvedRetentionDays { get; init; }

    /// <summary>Keep unresolved events this many days (default 7).</summary>
    public int? UnresolvedRetentionDays { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.ResolvedRetentionDays).InclusiveBetween(1, 3650);
        RuleFor(r => r.UnresolvedRetentionDays).InclusiveBetween(1, 3650);
    }
}

public sealed record Response(int Removed);
