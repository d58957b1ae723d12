using FastEndpoints;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.DeleteWebhook;

/// <summary>Removes a referral webhook receiver with its queued messages.</summary>
public sealed class Endpoint : TenantEndpoint<Request, EmptyResponse>
{
    public override void Configure()
    {
        Delete("/referral-webhooks/{id}");
        Summary(s =>
        {
            s.Summary = "Delete a referral webhook subscription (org admins)";
            s.Responses[StatusCodes.Status204NoContent] = "Deleted, with the messages still queued for it.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an OWNER or ADMIN.";
            s.Responses[StatusCodes.Status404NotFound] = "No referral webhook subscription with this id in the caller's organization.";
        });
        Description(b => b.ClearDefaultProduces(StatusCodes.Status200OK).Produces(StatusCodes.Status204NoContent));
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!Caller.IsOrgAdmin)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an organization admin (OWNER or ADMIN) manages referral webhooks.");
            return;
        }

        await using var command = Session.CreateCommand("SELECT referral_webhook_unsubscribe(@id)");
        command.Parameters.AddWithValue("id", req.Id);
        if (await command.ExecuteScalarAsync(ct) is true)
        {
            await Send.NoContentAsync(ct);
            return;
        }

        await Send.ProblemAsync(StatusCodes.Status404NotFound, "No referral webhook subscription with this id in your organization.");
    }
}
