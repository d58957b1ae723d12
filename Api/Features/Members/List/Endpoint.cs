using FastEndpoints;
using Npgsql;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Members.List;

/// <summary>The members of the caller's organization, a page at a time.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    // No organization filter here: the select policy of user_profiles shows the caller's organization only.
    private const string CountSql = "SELECT count(*) FROM user_profiles";

    private const string PageSql = $"""
        SELECT {Member.Columns}
        FROM user_profiles
        ORDER BY lower(display_name), id
        LIMIT @limit OFFSET @offset
        """;

    public override void Configure()
    {
        Get("/members");
        Summary(s =>
        {
            s.Summary = "Members of the caller's organization";
            s.Description = "Paged with page (from 1) and pageSize (1 to 100); total counts every member.";
            s.Responses[StatusCodes.Status200OK] = "One page of members and the total.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller has no profile in any organization.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        await Send.OkAsync(await LoadAsync(req, ct), ct);
    }

    private async Task<Response> LoadAsync(Request req, CancellationToken ct)
    {
        // Count and page in one round trip.
        await using var batch = Session.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(CountSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PageSql)
        {
            Parameters =
            {
                new NpgsqlParameter("limit", req.PageSize),
                new NpgsqlParameter("offset", req.RowsBefore()),
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(ct);
        var items = new List<Member>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(Member.Read(reader));
        }

        return new Response(items, req.Page, req.PageSize, total);
    }
}
