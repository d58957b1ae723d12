using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.Sampling.WaitEvents;

public sealed class Request
{
    /// <summary>Start of the window (inclusive, ISO 8601); an hour before <c>to</c> when absent.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>End of the window (exclusive, ISO 8601); now when absent.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>organization (default), wait_event, query or role.</summary>
    public string GroupBy { get; init; } = "organization";

    /// <summary>Only the time of this vendor organization (percent stays of all database time).</summary>
    public Guid? OrganizationId { get; init; }

    /// <summary>The largest groups answered, by database time.</summary>
    public int Limit { get; init; } = 20;
}

public sealed class Validator : Validator<Request>
{
    /// <summary>The longest window answered: the default retention (Monitoring:WaitHistoryRetention) is 8 days.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    public Validator()
    {
        RuleFor(r => r.GroupBy).Must(g => WaitEventsData.Groupings.Contains(g)).WithMessage($"Must be one of {string.Join(", ", WaitEventsData.Groupings)}.");
        RuleFor(r => r.Limit).InclusiveBetween(1, 500);
        RuleFor(r => r.To).GreaterThan(r => r.From).When(r => r.From is not null && r.To is not null).WithMessage("Must be after from.");
        RuleFor(r => r.From)
            .Must((r, from) => (r.To ?? DateTimeOffset.UtcNow) - from!.Value <= MaxWindow)
            .When(r => r.From is not null)
            .WithMessage($"The window may span at most {MaxWindow.TotalDays:0} days.");
    }
}

/// <summary>
/// Database time in [from, to): each sample of an active backend counts one sample interval (1 s by
/// default). totalSeconds is all database time in the window; groups are the largest by seconds.
/// <see cref="Partial"/> is true when a part could not be read within the monitoring bounds (a locked
/// table, say): <see cref="Unavailable"/> names it ("organizationNames": groups carry ids only;
/// "waitSamples": no groups).
/// </summary>
public sealed record Response(
    DateTimeOffset From,
    DateTimeOffset To,
    string GroupBy,
    double SampleIntervalSeconds,
    double TotalSeconds,
    IReadOnlyList<WaitEventGroup> Groups,
    bool Partial,
    IReadOnlyList<string> Unavailable);
