using System.Text.Json;
using FastEndpoints;
using WedSync.Api.Features.Monitoring.Advisor;
using WedSync.Api.Features.Monitoring.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Summary;

/// <summary>The health score, its metrics and recommendations, and the advisor's counts.</summary>
public sealed class Endpoint(MonitoringAssessments assessments, TimeProvider time) : MonitoringEndpoint<EmptyRequest, Response>
{
    private const string HealthyText = "The database is healthy; no action needed.";

    public override void Configure()
    {
        Get("/monitoring/summary");
        Summary(s =>
        {
            s.Summary = "Database health score, metrics and recommendations (platform admins)";
            s.Description = "Score 0-100 from get_db_monitoring_summary() (slow queries, connection utilization, RLS risk, open high/critical events); status excellent >= 90, good >= 75, fair >= 50, poor. The advisor's error findings are added to the recommendations; findings the catalog accepts (advisor: allow comments) are not. "
                + ReusedResultNote;
        });
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        var refresh = CallerWantsFreshResult;
        var summaryTask = assessments.SummaryAsync(refresh, ct);
        var adviceTask = assessments.FindingsAsync(refresh, ct);
        await Task.WhenAll(summaryTask, adviceTask);
        var (summary, advice) = (await summaryTask, await adviceTask);
        var findings = advice.Value.Findings;
        SetAge(summary.ComputedAt < advice.ComputedAt ? summary.ComputedAt : advice.ComputedAt, time);
        using var document = JsonDocument.Parse(summary.Value);
        var root = document.RootElement;
        var recommendations = root.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()!).ToList();
        var advisorErrors = findings.Where(f => f.Level == FindingLevels.Error)
            .Select(f => $"{f.Object}: {f.Why} {f.Remedy}")
            .ToList();
        // Alerts that stopped reaching anyone are read per request: a pause must show at once.
        advisorErrors.AddRange(await PausedSubscriptionAdvice.ReadAsync(Session.CreateCommand, ct));
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
            FindingCounts.Of(advice.Value)), ct);
    }
}
