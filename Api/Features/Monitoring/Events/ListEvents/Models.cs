using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Paging;

namespace WedSync.Api.Features.Monitoring.Events.ListEvents;

public sealed class Request() : PagedRequest(defaultPageSize: 50)
{
    public string? Severity { get; init; }

    public string? Type { get; init; }

    /// <summary>true: resolved only; false: open only; absent: both.</summary>
    public bool? Resolved { get; init; }

    /// <summary>Recorded at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Recorded before this time.</summary>
    public DateTimeOffset? To { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        Include(new PagingValidator<Request>());
        RuleFor(r => r.Severity).Must(s => MonitoringEventKinds.Severities.Contains(s)).When(r => r.Severity is not null)
            .WithMessage($"Must be one of {string.Join(", ", MonitoringEventKinds.Severities)}.");
        RuleFor(r => r.Type).Must(t => MonitoringEventKinds.Types.Contains(t)).When(r => r.Type is not null)
            .WithMessage($"Must be one of {string.Join(", ", MonitoringEventKinds.Types)}.");
        RuleFor(r => r.To).GreaterThan(r => r.From).When(r => r.From is not null && r.To is not null);
    }
}

public sealed record Response(IReadOnlyList<MonitoringEvent> Items, int Page, int PageSize, long Total);
