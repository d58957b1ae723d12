using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Members.Update;

/// <summary>
/// Changes a member's display name or role. Row-level security decides both answers: a member the
/// caller cannot see is 404, one the caller can see but the write policy does not let it change is 403.
/// </summary>
public sealed class Endpoint : TenantEndpoint<Request, Member>
{
    private const string RoleSql = "SELECT role FROM user_profiles WHERE id = @id";

    private const string UpdateSql = $"""
        UPDATE user_profiles
        SET display_name = coalesce(@displayName, display_name), role = coalesce(@role, role)
        WHERE id = @id
        RETURNING {Member.Columns}
        """;

    public override void Configure()
    {
        Patch("/members/{id}");
        Summary(s =>
        {
            s.Summary = "Change a member of the caller's organization";
            s.Description = "Org owners and admins may change display names and roles; only an owner may give or take the OWNER role.";
            s.Responses[StatusCodes.Status200OK] = "The member as changed.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller may not change this member, or has no profile.";
            s.Responses[StatusCodes.Status404NotFound] = "No member with this id in the caller's organization.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound));
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var currentRole = await CurrentRoleAsync(req.Id, ct);
        if (currentRole is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No member with this id in your organization.");
            return;
        }

        // The write policy lets any org admin write; ownership is the one step above it, kept here.
        var changesOwnership = req.Role is not null && req.Role != currentRole && (req.Role == OrgRoles.Owner || currentRole == OrgRoles.Owner);
        if (changesOwnership && !Caller.IsOrgOwner)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an owner may give or take the OWNER role.");
            return;
        }

        var member = await UpdateAsync(req, ct);
        if (member is null)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only owners and admins may change members.");
            return;
        }

        await Send.OkAsync(member, ct);
    }

    private async Task<string?> CurrentRoleAsync(Guid id, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(RoleSql);
        command.Parameters.AddWithValue("id", id);
        return (string?)await command.ExecuteScalarAsync(ct);
    }

    private async Task<Member?> UpdateAsync(Request req, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(UpdateSql);
        command.Parameters.AddWithValue("id", req.Id);
        command.Parameters.Add(new NpgsqlParameter("displayName", NpgsqlDbType.Text) { Value = (object?)req.DisplayName?.Trim() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("role", NpgsqlDbType.Text) { Value = (object?)req.Role ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Member.Read(reader) : null;
    }
}
