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

    /// <summary>Messages one look claims (and sends in parallel).</summary>
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

    /// <summary>Attempts of one message before it is marked failed (about 9 h with the defaults).</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 15;

    /// <summary>Consecutive failed attempts (any message) after which a subscription is paused.</summary>
    [Range(1, 10_000)]
    public int PauseAfterFailures { get; set; } = 10;

    /// <summary>Delivered and failed messages (and their attempt logs) are deleted after this long.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
