using FastEndpoints;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Organization.GetCurrent;

/// <summary>The organization the caller belongs to, and the caller's role in it.</summary>
public sealed class Endpoint : TenantEndpoint<EmptyRequest, Response>
{
    // RLS shows platform admins every organization; "current" is the caller's own one.
    private const string Sql = """
        SELECT id, name, slug, created_at, updated_at
        FROM organizations
        WHERE id = app.current_organization_id()
        """;

    public override void Configure()
    {
        Get("/organization");
        Summary(s =>
        {
            s.Summary = "The caller's organization";
            s.Description = "The organization of the caller's user profile, with the caller's role in it.";
            s.Responses[StatusCodes.Status200OK] = "The organization.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller has no profile in any organization.";
        });
    }

    protected override async Task HandleInSessionAsync(EmptyRequest req, CancellationToken ct)
    {
        var organization = await LoadAsync(ct);
        if (organization is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "The organization no longer exists.");
            return;
        }

        await Send.OkAsync(organization, ct);
    }

    private async Task<Response?> LoadAsync(CancellationToken ct)
    {
        await using var command = Session.CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new Response(
            reader.GetGuid(0), reader.GetString(1), reader.GetString(2), Caller.OrgRole!, reader.GetDateTime(3), reader.GetDateTime(4));
    }
}
