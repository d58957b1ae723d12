using System.Globalization;
using FastEndpoints;
using WedSync.Api.Platform.Auth;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Migrations.Impact;

/// <summary>GET /migrations/{requestId}/impact: what a migration request changed in the statements' cost (<see cref="ImpactData"/>).</summary>
public sealed class Endpoint(ImpactData data) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/migrations/{requestId}/impact");
        Roles(ClaimNames.PlatformAdmin);
        Summary(s =>
        {
            s.Summary = "What a migration request changed: statements' mean time and calls before and after it (platform admins)";
            s.Description = "From the migration journal (when its scripts were applied) and the stored query history. "
                + $"Regressions are statements stored in both windows that became at least {ImpactData.RegressionFactor.ToString(CultureInfo.InvariantCulture)}× slower.";
            s.Responses[StatusCodes.Status200OK] = "The statements before and after, and the regressions named.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not a platform admin.";
            s.Responses[StatusCodes.Status404NotFound] = "No request with this id in the manifest or the journal.";
            s.Responses[StatusCodes.Status409Conflict] = "The request is known but none of its scripts has been applied.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var outcome = await data.ReadAsync(req, ct);
        if (outcome.Impact is { } impact)
        {
            await Send.OkAsync(impact, ct);
            return;
        }

        await Send.ProblemAsync(outcome.Status, outcome.Detail!);
    }
}
