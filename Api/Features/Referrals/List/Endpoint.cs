using FastEndpoints;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.List;

/// <summary>The caller's own referrals, newest first.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/referrals");
        Summary(s =>
        {
            s.Summary = "The caller's referrals";
            s.Description = "Filtered by status, paged with page and pageSize (at most 100); total counts all matches.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var (items, total) = await Data.ReadAsync(Session, req.Status, req.PageSize, req.RowsBefore(), ct);
        await Send.OkAsync(new Response(items, req.Page, req.PageSize, total), ct);
    }
}
