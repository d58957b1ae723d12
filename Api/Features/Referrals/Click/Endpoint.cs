using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Network;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Referrals.Click;

/// <summary>
/// The public share link: counts the click and redirects to the configured signup page, never to
/// a target taken from the request. Anonymous, so it runs as the request role without claims and
/// records the click through the one SECURITY DEFINER function made for it.
/// </summary>
public sealed class Endpoint(NpgsqlDataSource dataSource, IOptions<ReferralOptions> options) : Endpoint<Request>
{
    public override void Configure()
    {
        Get("/r/{code}");
        RoutePrefixOverride(string.Empty);
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Follow a referral link";
            s.Description = "A GET counts one click, unless the User-Agent is a link-preview crawler (Slackbot, facebookexternalhit, Twitterbot, WhatsApp, Googlebot, LinkedInBot, Discordbot, TelegramBot, SkypeUriPreview, Applebot...) or the same visitor (address and User-Agent) clicked this code within the last hour: those are stored as filtered, with the reason, and redirected alike.";
            s.Responses[StatusCodes.Status302Found] = "Redirect to the signup page with the code.";
            s.Responses[StatusCodes.Status404NotFound] = "Unknown, inactive or expired code.";
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var code = ReferralCode.Normalize(req.Code);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SET LOCAL ROLE {TenantSession.RequestRole}"),
                new NpgsqlBatchCommand("SELECT record_referral_click(@code, @ip, @userAgent, @referer)")
                {
                    Parameters =
                    {
                        new NpgsqlParameter("code", code),
                        new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ClientNetwork.Normalize(HttpContext.Connection.RemoteIpAddress) ?? DBNull.Value },
                        new NpgsqlParameter("userAgent", NpgsqlTypes.NpgsqlDbType.Text) { Value = Header("User-Agent", 512) },
                        new NpgsqlParameter("referer", NpgsqlTypes.NpgsqlDbType.Text) { Value = Header("Referer", 2048) },
                    },
                },
            },
        };
        bool counted;
        try
        {
            counted = await batch.ExecuteScalarAsync(ct) is true;
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            PreparedStatementReset.AfterFailure(connection);
            throw;
        }

        if (!counted)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "This referral link is unknown or no longer active.");
            return;
        }

        ReferralTelemetry.Clicks.Add(1);
        await Send.RedirectAsync(options.Value.SignupLink(code), isPermanent: false, allowRemoteRedirects: true);
    }

    private object Header(string name, int max)
    {
        var value = HttpContext.Request.Headers[name].ToString();
        // Stored whatever the client sent: cut on a character boundary, never refused, so the click counts.
        return value.Length == 0 ? DBNull.Value : StorableText.Cut(value, max);
    }
}
