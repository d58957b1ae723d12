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
/// A claim leases a row rather than locking it for the attempt: it moves next_attempt_at past the
/// attempt's timeout and counts the attempt, so another instance skips it (SKIP LOCKED while the claim
/// runs, the lease after) and takes it again only if this one died mid-attempt. That is what makes the
/// delivery at least once: a crash between the receiver's answer and <see cref="RecordAsync"/> sends the
/// message again, under the same webhook-id.
/// </remarks>
public sealed class WebhookOutbox(NpgsqlDataSource dataSource, IOptions<WebhookOptions> options)
{
    private const string ClaimSql = """
        WITH due AS (
            SELECT o.id
            FROM webhook_outbox o
            JOIN webhook_subscriptions s ON s.id = o.subscription_id
            WHERE o.status = 'pending' AND o.next_attempt_at <= clock_timestamp() AND s.paused_at IS NULL
            ORDER BY o.next_attempt_at
            LIMIT @batch
            FOR UPDATE OF o SKIP LOCKED
        )
        UPDATE webhook_outbox o
        SET attempts = o.attempts + 1, next_attempt_at = clock_timestamp() + @lease
        FROM due, webhook_subscriptions s
        WHERE o.id = due.id AND s.id = o.subscription_id
        RETURNING o.id, o.subscription_id, o.message_type, o.payload::text, o.summary, o.attempts, s.url, s.signing_secret, s.format
        """;

    // A success ends the message and the subscription's failure streak, whoever holds the lease now.
    private const string SucceededSql = """
        WITH done AS (
            UPDATE webhook_outbox SET status = 'delivered', delivered_at = clock_timestamp(), last_error = NULL
            WHERE id = @id AND status <> 'delivered'
            RETURNING subscription_id
        ), logged AS (
            INSERT INTO webhook_delivery_attempts (outbox_id, attempt, attempted_at, duration_ms, status_code, succeeded)
            VALUES (@id, @attempt, @at, @ms, @code, true)
        )
        UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = @subscription
        """;

    // A failure reschedules the message only while this attempt still owns it (attempts unchanged),
    // and counts against the subscription, which is paused at the threshold.
    private const string FailedSql = """
        WITH failed AS (
            UPDATE webhook_outbox
            SET status = CASE WHEN attempts >= @maxAttempts THEN 'failed' ELSE 'pending' END,
                next_attempt_at = clock_timestamp() + @delay,
                last_error = @error
            WHERE id = @id AND attempts = @attempt AND status = 'pending'
        ), logged AS (
            INSERT INTO webhook_delivery_attempts (outbox_id, attempt, attempted_at, duration_ms, status_code, succeeded, error)
            VALUES (@id, @attempt, @at, @ms, @code, false, @error)
        )
        UPDATE webhook_subscriptions s
        SET consecutive_failures = s.consecutive_failures + 1,
            paused_at = CASE WHEN s.paused_at IS NULL AND s.consecutive_failures + 1 >= @pauseAfter THEN clock_timestamp() ELSE s.paused_at END,
            pause_reason = CASE WHEN s.paused_at IS NULL AND s.consecutive_failures + 1 >= @pauseAfter
                THEN left(format('%s consecutive failed deliveries; the last: %s', s.consecutive_failures + 1, @error), 1000)
                ELSE s.pause_reason END
        WHERE s.id = @subscription
        RETURNING s.paused_at IS NOT NULL AND s.consecutive_failures = @pauseAfter
        """;

    private const string CleanupSql = """
        DELETE FROM webhook_outbox
        WHERE created_at < clock_timestamp() - @retention AND status IN ('delivered', 'failed')
        """;

    public async Task<IReadOnlyList<OutboxMessage>> ClaimAsync(CancellationToken ct)
    {
        var settings = options.Value;
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.AddWithValue("batch", settings.BatchSize);
        // Past the attempt's timeout, with room for recording its outcome.
        command.Parameters.AddWithValue("lease", settings.RequestTimeout + TimeSpan.FromSeconds(30));
        var claimed = new List<OutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(new OutboxMessage(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt32(5), reader.GetString(6), reader.GetString(7), reader.GetString(8)));
        }

        return claimed;
    }

    /// <summary>Logs the attempt and settles the message; true when this failure paused the subscription.</summary>
    public async Task<bool> RecordAsync(OutboxMessage message, DeliveryOutcome outcome, CancellationToken ct)
    {
        var settings = options.Value;
        await using var command = dataSource.CreateCommand(outcome.Succeeded ? SucceededSql : FailedSql);
        command.Parameters.AddWithValue("id", message.Id);
        command.Parameters.AddWithValue("subscription", message.SubscriptionId);
        command.Parameters.AddWithValue("attempt", message.Attempt);
        command.Parameters.AddWithValue("at", outcome.AttemptedAt);
        command.Parameters.AddWithValue("ms", (int)Math.Min(int.MaxValue, outcome.Duration.TotalMilliseconds));
        command.Parameters.Add(new NpgsqlParameter("code", NpgsqlDbType.Integer) { Value = (object?)outcome.StatusCode ?? DBNull.Value });
        if (!outcome.Succeeded)
        {
            command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = Truncate(outcome.Error ?? "failed", 2000) });
            command.Parameters.AddWithValue("maxAttempts", settings.MaxAttempts);
            command.Parameters.AddWithValue("delay", RetrySchedule.DelayAfter(message.Attempt, settings));
            command.Parameters.AddWithValue("pauseAfter", settings.PauseAfterFailures);
        }

        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Deletes settled messages past retention (their attempt logs go with them); returns how many.</summary>
    public async Task<int> CleanupAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(CleanupSql);
        command.Parameters.AddWithValue("retention", options.Value.Retention);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
