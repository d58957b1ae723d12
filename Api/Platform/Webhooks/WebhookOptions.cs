using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// Settings of section <c>Webhooks</c>: how the delivery worker drains the outbox. The retry schedule
/// is the outbox's own (a failed attempt is rescheduled in the database), so the worker's HttpClient
/// has no retry handler of its own: one attempt per row per try, each one logged.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Whether this instance delivers at all; several instances share the outbox safely (SKIP LOCKED).</summary>
    public bool DeliveryEnabled { get; set; } = true;

    /// <summary>How often the worker looks for due messages when the last look found none.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Subscriptions one look serves in parallel; each one's messages go one at a time, in order.</summary>
    [Range(1, 500)]
    public int BatchSize { get; set; } = 20;

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The delay after the first failed attempt; it doubles with every further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest delay between two attempts of one message.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts of one message before it is marked failed; probes of a paused subscription do not count.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 15;

    /// <summary>Failed attempts in a row after which a subscription is paused, if they also span <see cref="PauseAfterFailingFor"/>.</summary>
    [Range(1, 10_000)]
    public int PauseAfterFailures { get; set; } = 10;

    /// <summary>How long a subscription must have failed without a success before it is paused: an outage, not a burst.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan PauseAfterFailingFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a paused subscription's receiver is tried with its oldest message; a 2xx resumes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether receivers may be on loopback, private (RFC 1918, fc00::/7, 100.64/10) or link-local addresses.
    /// Off in production; on for local development and tests. Metadata, unspecified and multicast addresses are always refused.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Delivered and failed messages (and their attempt logs) are deleted after this long.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
