using Npgsql;
using WedSync.Api.Platform.Database;

namespace WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;

/// <summary>
/// A webhook subscription of topic <c>monitoring</c> with its filter, as the API shows it. The signing
/// secret is never part of it: it is shown once, when the subscription is created.
/// </summary>
/// <param name="MinimumSeverity">Events of this severity or above are delivered (low &lt; medium &lt; high &lt; critical).</param>
/// <param name="EventTypes">Only these event types; null for all.</param>
/// <param name="Format">standard (Standard Webhooks JSON) or slack ({"text": ...}).</param>
/// <param name="ConsecutiveFailures">Failed attempts since the last successful delivery.</param>
/// <param name="PausedAt">Set when deliveries failed for long enough; the receiver is then probed and a success resumes it (or POST .../resume).</param>
public sealed record AlertSubscription(
    Guid Id,
    string Url,
    string MinimumSeverity,
    IReadOnlyList<string>? EventTypes,
    string Format,
    DateTimeOffset CreatedAt,
    Guid? CreatedBy,
    int ConsecutiveFailures,
    bool Paused,
    DateTimeOffset? PausedAt,
    string? PauseReason)
{
    public const string Topic = "monitoring";

    public const string Columns =
        "s.id, s.url, f.minimum_severity, f.event_types, s.format, s.created_at, s.created_by, s.consecutive_failures, s.paused_at, s.pause_reason";

    public const string From = "webhook_subscriptions s JOIN monitoring_alert_filters f ON f.subscription_id = s.id WHERE s.topic = 'monitoring'";

    public static AlertSubscription Read(NpgsqlDataReader reader) => new(
        reader.Get<Guid>("id"),
        reader.Get<string>("url"),
        reader.Get<string>("minimum_severity"),
        reader.GetOrNull<string[]>("event_types"),
        reader.Get<string>("format"),
        reader.Get<DateTimeOffset>("created_at"),
        reader.GetNullable<Guid>("created_by"),
        reader.Get<int>("consecutive_failures"),
        !reader.IsNull("paused_at"),
        reader.GetNullable<DateTimeOffset>("paused_at"),
        reader.GetOrNull<string>("pause_reason"));
}
