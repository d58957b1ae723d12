using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;
using WedSync.Api.Platform.Webhooks;

namespace WedSync.Api.Features.Referrals.CreateWebhook;

/// <summary>Subscribes a receiver (a billing or CRM system) to the organization's referral and reward events.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string Sql = "SELECT referral_webhook_subscribe(@url, @secret, @types)";

    public override void Configure()
    {
        Post("/referral-webhooks");
        Summary(s =>
        {
            s.Summary = "Subscribe a webhook receiver to the organization's referral and reward events (org admins)";
            s.Description = "Each event is POSTed as {type, timestamp, data}, signed as Standard Webhooks describe (webhook-id, webhook-timestamp, webhook-signature), "
                + "written in the transaction that caused it and delivered at least once, in order, with the alerts' retry and pause rules. "
                + "reward.approved asks billing to deliver the reward (data.rewardType: credit, free_month or discount; data.acknowledgeUrl) and is sent again every "
                + "Referrals:FulfilmentResendAfter until POST /api/referrals/rewards/{id}/fulfilled acknowledges it. The secret is returned in this response only.";
            s.Responses[StatusCodes.Status201Created] = "The subscription and its signing secret (shown this once).";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an OWNER or ADMIN.";
        });
        Description(b => b.ClearDefaultProduces(StatusCodes.Status200OK).Produces<Response>(StatusCodes.Status201Created, "application/json"));
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!Caller.IsOrgAdmin)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an organization admin (OWNER or ADMIN) manages referral webhooks.");
            return;
        }

        var secret = req.Secret ?? WebhookSecret.Generate();
        Guid id;
        await using (var command = Session.CreateCommand(Sql))
        {
            command.Parameters.AddWithValue("url", req.Url!);
            command.Parameters.AddWithValue("secret", secret);
            command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = (object?)req.EventTypes?.Distinct(StringComparer.Ordinal).ToArray() ?? DBNull.Value,
            });
            id = (Guid)(await command.ExecuteScalarAsync(ct))!;
        }

        var created = (await ReferralWebhooks.ListAsync(Session, ct)).Single(w => w.Id == id);
        await Send.ResponseAsync(new Response(created, secret), StatusCodes.Status201Created, ct);
    }
}
