namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// Exponential backoff: after failed attempt n the next one waits BackoffBase × 2^(n-1), at most
/// BackoffMax, plus up to 10 % random jitter so that messages failing together do not retry in lockstep.
/// </summary>
public static class RetrySchedule
{
    public static TimeSpan DelayAfter(int failedAttempt, WebhookOptions options)
    {
        var exponent = Math.Clamp(failedAttempt - 1, 0, 30);
        var delay = options.BackoffBase * Math.Pow(2, exponent);
        if (delay > options.BackoffMax)
        {
            delay = options.BackoffMax;
        }

        return delay + (delay * (Random.Shared.NextDouble() * 0.1));
    }
}
