using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace WedSync.Tests.Infrastructure;

/// <summary>When a start times out, says which resource is stuck in which state and what it logged.</summary>
public static class ResourceDiagnostics
{
    public static async Task<string> DescribeAsync(DistributedApplication app, params string[] resourceNames)
    {
        var report = new StringBuilder();
        var loggerService = app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var name in resourceNames)
        {
            if (!app.ResourceNotifications.TryGetCurrentState(name, out var state))
            {
                report.AppendLine($"{name}: no state");
                continue;
            }

            report.AppendLine($"{name}: {state.Snapshot.State?.Text} exit={state.Snapshot.ExitCode} health={state.Snapshot.HealthStatus}");

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await foreach (var batch in loggerService.WatchAsync(state.ResourceId).WithCancellation(cts.Token))
                {
                    foreach (var line in batch.TakeLast(40))
                    {
                        report.AppendLine($"  {line.Content}");
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The log stream never ends by itself; two seconds of backlog is what we want.
            }
        }

        return report.ToString();
    }
}
