using System.Text.Json;
using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Advisor;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.Health.Summary;

/// <summary>The health score, its metrics and recommendations, and the advisor's counts.</summary>
public sealed class Endpoint(MonitoringAssessments assessments, TimeProvider time) : MonitoringEndpoint<EmptyRequest, Response>
{
    /// <summary>The names of the sections a partial answer lists in unavailable.</summary>
    public const string SummarySection = "summary";

    public const string AdvisorSection = "advisor";

    public const string AlertSubscriptionsSection = "alertSubscriptions";

    private const string HealthyText = "The database is healthy; no action needed.";

    public override void Configure()
    {
        Get("/monitoring/summary");
        Summary(s =>
        {
            s.Summary = "Database health score, metrics and recommendations (platform admins)";
            s.Description = "Score 0-100 from get_db_monitoring_summary() (slow queries, connection utilization, RLS risk, open high/critical events); status excellent >= 90, good >= 75, fair >= 50, poor. The advisor's error findings are added to the recommendations; findings the catalog accepts (advisor: allow comments) are not. "
                + "When a part cannot be read now (a lock, Monitoring:ReadStatementTimeout, a connection it cannot get), the answer is still 200 with partial true "
                + "and unavailable naming each part not read now: summary (the score is the newest one read before; generatedAt says when), advisor "
                + "(the counts leave its findings out), advisor.<check> (one advisor check), alertSubscriptions (paused subscriptions not listed). "
                + "503 only when no summary has been read since startup and none can be read now. "
                + ReusedResultNote;
            s.Responses[StatusCodes.Status200OK] = "The summary; partial when some parts could not be read now.";
        });
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        var refresh = CallerWantsFreshResult;
        var unavailable = new List<string>();
        var summaryTask = ReadOrLatestAsync(assessments.SummaryAsync(refresh, ct), assessments.LatestSummary, SummarySection, unavailable);
        var adviceTask = ReadOrLatestAsync(assessments.FindingsAsync(refresh, ct), assessments.LatestFindings, AdvisorSection, unavailable);
        await Task.WhenAll(summaryTask, adviceTask);
        var (summary, advice) = (await summaryTask, await adviceTask);
        if (summary is null)
        {
            // Nothing read yet since startup and nothing readable now: there is no score to show.
            await Send.ProblemAsync(StatusCodes.Status503ServiceUnavailable,
                "The health summary could not be read within Monitoring:ReadStatementTimeout and none was read before.");
            return;
        }

        var findings = advice?.Value.Findings ?? [];
        if (advice is not null)
        {
            unavailable.AddRange(advice.Value.Unavailable.Select(check => $"{AdvisorSection}.{check}"));
        }

        SetAge(advice is null || summary.ComputedAt < advice.ComputedAt ? summary.ComputedAt : advice.ComputedAt, time);
        using var document = JsonDocument.Parse(summary.Value);
        var root = document.RootElement;
        var recommendations = root.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()!).ToList();
        var advisorErrors = findings.Where(f => f.Level == FindingLevels.Error)
            .Select(f => $"{f.Object}: {f.Why} {f.Remedy}")
            .ToList();
        // Alerts that stopped reaching anyone are read per request: a pause must show at once.
        try
        {
            advisorErrors.AddRange(await PausedSubscriptionAdvice.ReadAsync(Session.CreateCommand, ct));
        }
        catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception))
        {
            unavailable.Add(AlertSubscriptionsSection);
        }

        if (advisorErrors.Count > 0)
        {
            recommendations.Remove(HealthyText);
            recommendations.AddRange(advisorErrors);
        }

        await Send.OkAsync(new Response(
            root.GetProperty("healthScore").GetInt32(),
            root.GetProperty("status").GetString()!,
            root.GetProperty("generatedAt").GetDateTimeOffset(),
            root.GetProperty("metrics").Clone(),
            root.GetProperty("penalties").Clone(),
            recommendations,
            advice is null ? new FindingCounts(0, 0, 0) : FindingCounts.Of(advice.Value),
            unavailable.Count > 0,
            unavailable), ct);
    }

    /// <summary>
    /// A fresh result, or when it cannot be read now (a lock or time bound) the newest one held (its
    /// generatedAt/Age say how old), and the section named as unavailable either way.
    /// </summary>
    private static async Task<Computed<T>?> ReadOrLatestAsync<T>(Task<Computed<T>> read, Computed<T>? latest, string section, List<string> unavailable)
    {
        try
        {
            return await read;
        }
        catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception) || exception is NpgsqlException { IsTransient: true })
        {
            lock (unavailable)
            {
                unavailable.Add(section);
            }

            return latest;
        }
    }
}
