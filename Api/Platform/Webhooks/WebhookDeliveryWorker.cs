using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// Drains webhook_outbox: claims due messages, sends each as one signed POST, and records the outcome
/// (success, or a rescheduled retry with exponential backoff, pausing the subscription after
/// <see cref="WebhookOptions.PauseAfterFailures"/> failures in a row). Every API instance runs one;
/// they share the rows through the claim's SKIP LOCKED and lease.
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
            var claimed = 0;
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

                var messages = await outbox.ClaimAsync(stoppingToken);
                claimed = messages.Count;
                await Task.WhenAll(messages.Select(message => DeliverAsync(message, stoppingToken)));
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

            // A full batch means more may be due: look again at once.
            if (claimed < settings.BatchSize)
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

    private async Task DeliverAsync(OutboxMessage message, CancellationToken stoppingToken)
    {
        var outcome = await SendAsync(message, stoppingToken);
        if (outcome is null)
        {
            // Shutting down mid-attempt: the lease runs out and another round (or instance) sends it again.
            return;
        }

        var paused = await outbox.RecordAsync(message, outcome, CancellationToken.None);
        if (outcome.Succeeded)
        {
            logger.LogDebug("Webhook {MessageId} ({MessageType}) delivered on attempt {Attempt}", message.Id, message.MessageType, message.Attempt);
        }
        else
        {
            logger.LogWarning("Webhook {MessageId} ({MessageType}) attempt {Attempt} to subscription {SubscriptionId} failed: {Error}",
                message.Id, message.MessageType, message.Attempt, message.SubscriptionId, outcome.Error);
        }

        if (paused)
        {
            logger.LogError("Webhook subscription {SubscriptionId} paused after {Failures} consecutive failed deliveries",
                message.SubscriptionId, options.Value.PauseAfterFailures);
        }
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
            return response.IsSuccessStatusCode
                ? new DeliveryOutcome(true, status, null, attemptedAt, stopwatch.Elapsed)
                : new DeliveryOutcome(false, status, $"HTTP {status} {response.ReasonPhrase}".TrimEnd(), attemptedAt, stopwatch.Elapsed);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return new DeliveryOutcome(false, null, $"no answer within {options.Value.RequestTimeout}", attemptedAt, stopwatch.Elapsed);
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or FormatException)
        {
            return new DeliveryOutcome(false, null, exception.Message, attemptedAt, stopwatch.Elapsed);
        }
    }
}
