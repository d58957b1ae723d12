using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Organization.Update;

/// <summary>Renames the caller's organization or changes its slug (org owners and admins).</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    // The update policy admits org admins only; for anyone else the row is visible but not updatable.
    private const string Sql = """
        UPDATE organizations
        SET name = coalesce(@name, name), slug = coalesce(@slug, slug)
        WHERE id = app.current_organization_id()
        RETURNING id, name, slug, created_at, updated_at
        """;

    public override void Configure()
    {
        Patch("/organization");
        Summary(s =>
        {
            s.Summary = "Change the caller's organization";
            s.Description = "Org owners and admins may change the name and the slug; slugs are unique across WedSync.";
            s.Responses[StatusCodes.Status200OK] = "The organization as changed.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an owner or admin of the organization, or has no profile.";
            s.Responses[StatusCodes.Status409Conflict] = "Another organization has this slug.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var organization = await UpdateAsync(req, ct);
        if (organization is null)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only owners and admins may change the organization.");
            return;
        }

        await Send.OkAsync(organization, ct);
    }

    private async Task<Response?> UpdateAsync(Request req, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = (object?)req.Name?.Trim() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("slug", NpgsqlDbType.Text) { Value = (object?)req.Slug ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new Response(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3), reader.GetDateTime(4));
    }
}
