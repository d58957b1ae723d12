using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>The advisor's findings, errors first.</summary>
public sealed class Endpoint(MonitoringAssessments assessments, TimeProvider time) : MonitoringEndpoint<EmptyRequest, Response>
{
    public override void Configure()
    {
        Get("/monitoring/advisor");
        Summary(s =>
        {
            s.Summary = "Database advisor: security, index, vacuum, sequence and session findings (platform admins)";
            s.Description = "Each finding has a level (error | warn | info), the check, the object, why it matters and the remedy. "
                + "A finding that the catalog accepts, by a line 'advisor: allow <check>: <reason>' in the object's comment (COMMENT ON ... IS), "
                + "is listed under accepted with that reason instead, and counts neither in findings nor in counts (counts.accepted says how many). "
                + "A check that cannot run now (a table it reads is locked, say by an ALTER TABLE, or it outran Monitoring:ReadStatementTimeout) "
                + "is named in unavailable and partial is true: the answer is never held back for it. "
                + ReusedResultNote;
        });
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        var findings = await assessments.FindingsAsync(CallerWantsFreshResult, ct);
        SetAge(findings.ComputedAt, time);
        var result = findings.Value;
        await Send.OkAsync(new Response(result.Findings, FindingCounts.Of(result), findings.ComputedAt, result.Accepted, result.Unavailable.Count > 0, result.Unavailable), ct);
    }
}
