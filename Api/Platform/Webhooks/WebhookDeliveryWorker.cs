using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// Drains webhook_outbox: claims the queues of subscriptions whose oldest message is due, sends each
/// queue's messages one at a time in order as signed POSTs, and records every outcome. A failure stops
/// that queue until the head's retry (exponential backoff); a subscription failing for long enough is
/// paused and then probed every <see cref="WebhookOptions.ProbeInterval"/> with its head message, and a
/// success resumes it. Every API instance runs one; they share queues through the claim's lease.
/// </summary>
public sealed class WebhookDeliveryWorker(
    WebhookOutbox outbox,
    WebhookHttpClient http,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    private static readonly TimeSpan CleanupEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan FailedRoundPause = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.DeliveryEnabled)
        {
            logger.LogInformation("Webhook delivery is off on this instance (Webhooks:DeliveryEnabled=false)");
            return;
        }

        var nextCleanup = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = false;
            var failed = false;
            try
            {
                if (time.GetUtcNow() >= nextCleanup)
                {
                    nextCleanup = time.GetUtcNow() + CleanupEvery;
                    var removed = await outbox.CleanupAsync(stoppingToken);
                    if (removed > 0)
                    {
                        logger.LogInformation("Deleted {Count} settled webhook messages past retention", removed);
                    }
                }

                var runs = await outbox.ClaimAsync(stoppingToken);
                var results = await Task.WhenAll(runs.Select(run => DeliverRunAsync(run, stoppingToken)));
                delivered = results.Any(sent => sent);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database is away or the schema is not there yet: try again next round.
                logger.LogWarning(exception, "Webhook delivery round failed");
                failed = true;
            }

            // Something went through: more may be queued behind it, so look again at once.
            if (!delivered)
            {
                try
                {
                    // A failing database is asked again after a few seconds, not every poll.
                    var pause = failed && settings.PollInterval < FailedRoundPause ? FailedRoundPause : settings.PollInterval;
                    await Task.Delay(pause, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // One queue, in order: stops at the first failure (the rest wait behind it); true when anything was delivered.
    private async Task<bool> DeliverRunAsync(SubscriptionRun run, CancellationToken stoppingToken)
    {
        // A delivery is work someone may look for: always a trace, its HTTP call and outbox writes under it.
        using var pass = BackgroundTraces.StartPass("webhooks.deliver", notable: true);
        pass?.SetTag("wedsync.webhook.subscription_id", run.SubscriptionId);
        var delivered = false;
        foreach (var message in run.Messages)
        {
            var outcome = await SendAsync(message, stoppingToken);
            if (outcome is null)
            {
                // Shutting down mid-attempt: the lease runs out and another round (or instance) sends it again.
                return delivered;
            }

            if (!outcome.Succeeded)
            {
                var paused = await outbox.RecordFailureAsync(run, message, outcome, CancellationToken.None);
                logger.LogWarning("Webhook {MessageId} ({MessageType}) attempt {Attempt} to subscription {SubscriptionId} failed: {Error}",
                    message.Id, message.MessageType, message.Attempt, message.SubscriptionId, outcome.Error);
                if (paused)
                {
                    logger.LogError("Webhook subscription {SubscriptionId} paused after {Failures} failed deliveries in a row; probing it every {ProbeInterval}",
                        message.SubscriptionId, run.ConsecutiveFailures + 1, options.Value.ProbeInterval);
                }

                return delivered;
            }

            delivered = true;
            if (await outbox.RecordSuccessAsync(message, outcome, CancellationToken.None))
            {
                logger.LogWarning("Webhook subscription {SubscriptionId} resumed: its receiver answered a probe", message.SubscriptionId);
                // A probe carries one message: the rest of the queue goes in the next round, at once.
                break;
            }

            logger.LogDebug("Webhook {MessageId} ({MessageType}) delivered on attempt {Attempt}", message.Id, message.MessageType, message.Attempt);
        }

        await outbox.ReleaseAsync(run.SubscriptionId, CancellationToken.None);
        return delivered;
    }

    private async Task<DeliveryOutcome?> SendAsync(OutboxMessage message, CancellationToken stoppingToken)
    {
        var attemptedAt = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var body = WebhookBody.For(message);
            var timestamp = attemptedAt.ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, message.Url)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(WebhookSignature.IdHeader, message.Id.ToString());
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader,
                WebhookSignature.Sign(WebhookSecret.KeyOf(message.SigningSecret), message.Id.ToString(), timestamp, body));

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(options.Value.RequestTimeout);
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            // The status only: the reason phrase and body are the receiver's words, not ours to store.
            return response.IsSuccessStatusCode
                ? new DeliveryOutcome(true, status, null, attemptedAt, stopwatch.Elapsed)
                : new DeliveryOutcome(false, status, DeliveryError.Status(response.StatusCode), attemptedAt, stopwatch.Elapsed);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return new DeliveryOutcome(false, null, DeliveryError.Timeout, attemptedAt, stopwatch.Elapsed);
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or FormatException)
        {
            return new DeliveryOutcome(false, null, DeliveryError.Of(exception), attemptedAt, stopwatch.Elapsed);
        }
    }
}
