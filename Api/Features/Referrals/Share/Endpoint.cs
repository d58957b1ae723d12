using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Share;

/// <summary>Records that a code was shared; codes of other organizations are invisible (404).</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string Sql = """
        INSERT INTO referral_share_events (organization_id, referral_code_id, user_id, share_type, platform)
        SELECT c.organization_id, c.id, app.current_user_id(), @shareType, @platform
        FROM referral_codes c
        WHERE c.code = @code AND c.organization_id = (SELECT app.current_organization_id())
        RETURNING id, created_at
        """;

    public override void Configure()
    {
        Post("/referrals/{code}/shares");
        Summary(s =>
        {
            s.Summary = "Record a share of a referral code";
            s.Responses[StatusCodes.Status201Created] = "The share was recorded.";
            s.Responses[StatusCodes.Status404NotFound] = "No such code in the caller's organization.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var code = ReferralCode.Normalize(req.Code);
        await using var command = Session.CreateCommand(Sql);
        command.Parameters.AddWithValue("code", code);
        command.Parameters.AddWithValue("shareType", req.ShareType);
        command.Parameters.Add(new NpgsqlParameter("platform", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)req.Platform?.Trim().ToLowerInvariant() ?? DBNull.Value });
        Response? response = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                response = new Response(reader.GetGuid(0), code, req.ShareType, req.Platform, reader.GetFieldValue<DateTimeOffset>(1));
            }
        }

        // The reader is closed before answering: the answer commits the session on this connection.
        if (response is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No referral code with this value in your organization.");
            return;
        }

        ReferralTelemetry.Shares.Add(1, new KeyValuePair<string, object?>("share_type", req.ShareType));
        await Send.ResponseAsync(response, StatusCodes.Status201Created, ct);
    }
}
