using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// A critical event is logged at error level with its id, so it stands out in the dashboard's
/// structured logs; a lesser event is not logged as an error.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed partial class CriticalEventLogTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Critical_event_is_logged_at_error_level_with_its_id()
    {
        var critical = await RecordAsync("critical");
        var high = await RecordAsync("high");

        var lines = await ApiLogLinesAsync(critical, TimeSpan.FromSeconds(30));
        var at = lines.FindIndex(line => line.Contains(critical.ToString(), StringComparison.Ordinal));
        Assert.True(at >= 0, $"no API log line names event {critical}; {lines.Count} lines, the last:\n{string.Join('\n', lines.TakeLast(15))}");
        Assert.True(IsErrorLevel(lines, at), $"the line naming {critical} is not at error level:\n{string.Join('\n', lines.Skip(Math.Max(0, at - 2)).Take(4))}");
        Assert.DoesNotContain(lines, line => line.Contains(high.ToString(), StringComparison.Ordinal));
    }

    private async Task<Guid> RecordAsync(string severity)
    {
        using var response = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
            new { eventType = "connection_issue", severity, eventData = new { note = $"log test {severity}" } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The API's console log as the AppHost captured it, read until a line names <paramref name="id"/>.</summary>
    private async Task<List<string>> ApiLogLinesAsync(Guid id, TimeSpan timeout)
    {
        var lines = new List<string>();
        using var stop = new CancellationTokenSource(timeout);
        var logs = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        // Logs are kept per running instance of a resource (its id), not per resource name.
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState("api", out var api), "no api resource");
        try
        {
            await foreach (var batch in logs.WatchAsync(api.ResourceId).WithCancellation(stop.Token))
            {
                lines.AddRange(batch.Select(line => ConsoleColors().Replace(line.Content, string.Empty)));
                if (batch.Any(line => line.Content.Contains(id.ToString(), StringComparison.Ordinal)))
                {
                    // The rest of the write (the level line comes first in the simple console format).
                    await Task.Delay(200);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Asserted by the caller.
        }

        return lines;
    }

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex ConsoleColors();

    // The simple console formatter writes "fail: <category>[id]" on the line before the message;
    // the JSON formatter puts "LogLevel":"Error" on the message's own line.
    private static bool IsErrorLevel(List<string> lines, int at) =>
        lines[at].Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal)
        || lines[at].Contains("fail:", StringComparison.Ordinal)
        || (at > 0 && lines[at - 1].Contains("fail:", StringComparison.Ordinal));
}
