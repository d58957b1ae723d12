using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// The worker's side of webhook_outbox, as the API's login (producers write rows with triggers in
/// their own transactions). Every call is one autocommit statement: no transaction stays open while a
/// receiver is called, and nothing depends on session state, so it works behind a transaction pooler.
/// </summary>
/// <remarks>
/// A claim leases a subscription's queue, not single rows: its messages go one at a time in order
/// (created_at, then seq), and a failed head holds the rest back until its retry, so a burst during an outage costs one
/// failure per backoff step, not one per message. Another instance skips a leased queue (SKIP LOCKED
/// while the claim runs, lease_until after) and takes it again only if this one died: delivery stays at
/// least once, a message sent again keeps its webhook-id.
/// </remarks>
public sealed class WebhookOutbox(NpgsqlDataSource dataSource, IOptions<WebhookOptions> options)
{
    /// <summary>Messages one claim takes from one subscription's queue.</summary>
    public const int RunLength = 50;

    private const string ClaimSql = """
        WITH heads AS (
            SELECT DISTINCT ON (o.subscription_id) o.subscription_id, o.next_attempt_at
            FROM webhook_outbox o
            WHERE o.status = 'pending'
            ORDER BY o.subscription_id, o.created_at, o.seq
        ), due AS (
            SELECT s.id
            FROM webhook_subscriptions s
            JOIN heads h ON h.subscription_id = s.id
            WHERE h.next_attempt_at <= clock_timestamp() AND (s.lease_until IS NULL OR s.lease_until <= clock_timestamp())
            ORDER BY h.next_attempt_at
            LIMIT @batch
            FOR UPDATE OF s SKIP LOCKED
        ), leased AS (
            UPDATE webhook_subscriptions s SET lease_until = clock_timestamp() + @lease
            FROM due
            WHERE s.id = due.id
            RETURNING s.id, s.url, s.signing_secret, s.format, s.paused_at IS NOT NULL AS paused, s.consecutive_failures
        )
        SELECT l.id, l.url, l.signing_secret, l.format, l.paused, l.consecutive_failures,
               m.id, m.message_type, m.payload::text, m.summary, m.attempts
        FROM leased l
        CROSS JOIN LATERAL (
            SELECT o.id, o.message_type, o.payload, o.summary, o.attempts, o.created_at, o.seq
            FROM webhook_outbox o
            WHERE o.subscription_id = l.id AND o.status = 'pending'
            ORDER BY o.created_at, o.seq
            LIMIT CASE WHEN l.paused THEN 1 ELSE @run END
        ) m
        ORDER BY l.id, m.created_at, m.seq
        """;

    // A success ends the message and the failure streak, and resumes a paused subscription (its probe answered).
    private const string SucceededSql = """
        WITH done AS (
            UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = clock_timestamp(), last_error = NULL
            WHERE id = @id AND status <> 'delivered'
        ), logged AS (
            INSERT INTO webhook_delivery_attempts (outbox_id, attempt, attempted_at, duration_ms, status_code, succeeded)
            SELECT @id, @attempt, @at, @ms, @code, true WHERE EXISTS (SELECT FROM webhook_outbox WHERE id = @id)
        ), before AS (
            SELECT id, paused_at FROM webhook_subscriptions WHERE id = @subscription
        )
        UPDATE webhook_subscriptions s
        SET consecutive_failures = 0, failing_since = NULL, paused_at = NULL, pause_reason = NULL,
            lease_until = clock_timestamp() + @lease
        FROM before
        WHERE s.id = before.id
        RETURNING before.paused_at IS NOT NULL
        """;

    // A failure reschedules the head (backoff, or the probe interval once paused) and releases the queue.
    // The subscription pauses only when the streak is long in attempts and in time; a failed probe never
    // uses up a message's attempts, so nothing queued is given up while the receiver is away.
    private const string FailedSql = """
        WITH streak AS (
            SELECT s.id, s.paused_at IS NOT NULL AS paused, s.consecutive_failures + 1 AS failures,
                   coalesce(s.failing_since, @at) AS since,
                   s.paused_at IS NULL AND s.consecutive_failures + 1 >= @pauseAfter
                       AND clock_timestamp() - coalesce(s.failing_since, @at) >= @pauseAfterFor AS pausing
            FROM webhook_subscriptions s
            WHERE s.id = @subscription
            FOR UPDATE
        ), failed AS (
            UPDATE webhook_outbox o
            SET attempts = o.attempts + 1,
                status = CASE WHEN NOT streak.paused AND NOT streak.pausing AND o.attempts + 1 >= @maxAttempts THEN 'failed' ELSE 'pending' END,
                next_attempt_at = clock_timestamp() + CASE WHEN streak.paused OR streak.pausing THEN @probe ELSE @delay END,
                last_error = @error
            FROM streak
            WHERE o.id = @id AND o.status = 'pending'
        ), logged AS (
            INSERT INTO webhook_delivery_attempts (outbox_id, attempt, attempted_at, duration_ms, status_code, succeeded, error)
            SELECT @id, @attempt, @at, @ms, @code, false, @error WHERE EXISTS (SELECT FROM webhook_outbox WHERE id = @id)
        )
        UPDATE webhook_subscriptions s
        SET consecutive_failures = streak.failures,
            failing_since = streak.since,
            paused_at = CASE WHEN streak.pausing THEN clock_timestamp() ELSE s.paused_at END,
            pause_reason = CASE WHEN streak.pausing
                THEN left(format('%s failed deliveries in a row over %s; the last: %s',
                    streak.failures, date_trunc('second', clock_timestamp() - streak.since), @error), 1000)
                ELSE s.pause_reason END,
            lease_until = NULL
        FROM streak
        WHERE s.id = streak.id
        RETURNING streak.pausing
        """;

    private const string ReleaseSql = "UPDATE webhook_subscriptions SET lease_until = NULL WHERE id = @subscription";

    private const string CleanupSql = """
        DELETE FROM webhook_outbox
        WHERE created_at < clock_timestamp() - @retention AND status IN ('delivered', 'failed')
        """;

    // Past one attempt's timeout, with room for recording its outcome; renewed by every success.
    private TimeSpan Lease => options.Value.RequestTimeout + TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<SubscriptionRun>> ClaimAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.AddWithValue("batch", options.Value.BatchSize);
        command.Parameters.AddWithValue("lease", Lease);
        command.Parameters.AddWithValue("run", RunLength);
        var runs = new List<SubscriptionRun>();
        List<OutboxMessage>? messages = null;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var subscription = reader.GetGuid(0);
            if (runs.Count == 0 || runs[^1].SubscriptionId != subscription)
            {
                messages = [];
                runs.Add(new SubscriptionRun(subscription, reader.GetBoolean(4), reader.GetInt32(5), messages));
            }

            messages!.Add(new OutboxMessage(
                reader.GetGuid(6), subscription, reader.GetString(7), reader.GetString(8), reader.GetString(9),
                reader.GetInt32(10) + 1, reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return runs;
    }

    /// <summary>Logs a successful attempt and settles the message; true when it resumed a paused subscription.</summary>
    public async Task<bool> RecordSuccessAsync(OutboxMessage message, DeliveryOutcome outcome, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(SucceededSql);
        AddAttempt(command, message, outcome);
        command.Parameters.AddWithValue("lease", Lease);
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Logs a failed attempt, reschedules the message and releases the queue; true when this failure paused the subscription.</summary>
    public async Task<bool> RecordFailureAsync(SubscriptionRun run, OutboxMessage message, DeliveryOutcome outcome, CancellationToken ct)
    {
        var settings = options.Value;
        await using var command = dataSource.CreateCommand(FailedSql);
        AddAttempt(command, message, outcome);
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = Truncate(outcome.Error ?? "failed", 2000) });
        command.Parameters.AddWithValue("maxAttempts", settings.MaxAttempts);
        command.Parameters.AddWithValue("delay", RetrySchedule.DelayAfter(run.ConsecutiveFailures + 1, settings));
        command.Parameters.AddWithValue("probe", settings.ProbeInterval);
        command.Parameters.AddWithValue("pauseAfter", settings.PauseAfterFailures);
        command.Parameters.AddWithValue("pauseAfterFor", settings.PauseAfterFailingFor);
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Gives the queue back after a run that ended without a failure.</summary>
    public async Task ReleaseAsync(Guid subscription, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.AddWithValue("subscription", subscription);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes settled messages past retention (their attempt logs go with them); returns how many.</summary>
    public async Task<int> CleanupAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(CleanupSql);
        command.Parameters.AddWithValue("retention", options.Value.Retention);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddAttempt(NpgsqlCommand command, OutboxMessage message, DeliveryOutcome outcome)
    {
        command.Parameters.AddWithValue("id", message.Id);
        command.Parameters.AddWithValue("subscription", message.SubscriptionId);
        command.Parameters.AddWithValue("attempt", message.Attempt);
        command.Parameters.AddWithValue("at", outcome.AttemptedAt);
        command.Parameters.AddWithValue("ms", (int)Math.Min(int.MaxValue, outcome.Duration.TotalMilliseconds));
        command.Parameters.Add(new NpgsqlParameter("code", NpgsqlDbType.Integer) { Value = (object?)outcome.StatusCode ?? DBNull.Value });
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
