using FastEndpoints;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Members.Get;

/// <summary>One member of the caller's organization; members of other organizations do not exist for the caller.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Member>
{
    private const string Sql = $"SELECT {Member.Columns} FROM user_profiles WHERE id = @id";

    public override void Configure()
    {
        Get("/members/{id}");
        Summary(s =>
        {
            s.Summary = "A member of the caller's organization";
            s.Responses[StatusCodes.Status200OK] = "The member.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller has no profile in any organization.";
            s.Responses[StatusCodes.Status404NotFound] = "No member with this id in the caller's organization.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound));
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var member = await LoadAsync(req.Id, ct);
        if (member is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No member with this id in your organization.");
            return;
        }

        await Send.OkAsync(member, ct);
    }

    private async Task<Member?> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(Sql);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Member.Read(reader) : null;
    }
}
