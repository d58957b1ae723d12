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
                + ReusedResultNote;
        });
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        var findings = await assessments.FindingsAsync(CallerWantsFreshResult, ct);
        SetAge(findings.ComputedAt, time);
        await Send.OkAsync(new Response(findings.Value, FindingCounts.Of(findings.Value), findings.ComputedAt), ct);
    }
}
