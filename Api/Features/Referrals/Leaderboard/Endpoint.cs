using FastEndpoints;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Leaderboard;

/// <summary>The top referrers of the caller's organization by converted referrals.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/referrals/leaderboard");
        Summary(s => s.Summary = "Top referrers of the caller's organization (week, month or all time)");
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        DateTimeOffset? since = req.Period switch
        {
            "week" => DateTimeOffset.UtcNow.AddDays(-7),
            "month" => DateTimeOffset.UtcNow.AddMonths(-1),
            _ => null,
        };
        var entries = await Data.ReadAsync(Session, since, ct);
        await Send.OkAsync(new Response(req.Period, entries), ct);
    }
}
