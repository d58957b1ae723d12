using System.Text.Json;
using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Events.RecordEvent;

public sealed class Request
{
    public string EventType { get; init; } = "";

    public string Severity { get; init; } = "";

    /// <summary>A JSON object; {} when absent.</summary>
    public JsonElement? EventData { get; init; }
}

/// <summary>
/// The same rules record_db_monitoring_event enforces (it answers 22023, mapped to 400 as well):
/// checking here first gives the client per-field errors.
/// </summary>
public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.EventType).Must(t => MonitoringEventKinds.RecordableTypes.Contains(t))
            .WithMessage($"Must be one of {string.Join(", ", MonitoringEventKinds.RecordableTypes)}.");
        RuleFor(r => r.Severity).Must(s => MonitoringEventKinds.Severities.Contains(s))
            .WithMessage($"Must be one of {string.Join(", ", MonitoringEventKinds.Severities)}.");
        RuleFor(r => r.EventData).Must(d => d!.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null)
            .When(r => r.EventData is not null).WithMessage("Must be a JSON object.");
    }
}
