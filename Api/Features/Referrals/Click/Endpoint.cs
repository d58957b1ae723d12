using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Network;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Referrals.Click;

/// <summary>
/// The public share link: counts the click and redirects to the configured signup page, never to
/// a target taken from the request. HEAD answers alike and records nothing (link checkers ask HEAD first).
/// </summary>
public sealed class Endpoint(NpgsqlDataSource dataSource, IOptions<ReferralOptions> options) : Endpoint<Request>
{
    public override void Configure()
    {
        Verbs(Http.GET, Http.HEAD);
        Routes("/r/{code}");
        RoutePrefixOverride(string.Empty);
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Follow a referral link";
            s.Description = "A GET counts one click, unless the User-Agent is a link-preview crawler (Slackbot, facebookexternalhit, Twitterbot, WhatsApp, Googlebot, LinkedInBot, Discordbot, TelegramBot, SkypeUriPreview, Applebot...) or the same visitor clicked this code within the last hour: those are stored as filtered, with the reason, and redirected alike. "
                + "A visitor is one browser, named by the first-party cookie wedsync_visitor (HttpOnly, SameSite=Lax, Path=/r, Secure over HTTPS) that a GET sets for the hour; a request without it is a new visitor. "
                + "A HEAD answers the same status and headers with no body and records nothing.";
            s.Responses[StatusCodes.Status302Found] = "Redirect to the signup page with the code.";
            s.Responses[StatusCodes.Status404NotFound] = "Unknown, inactive or expired code.";
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var code = ReferralCode.Normalize(req.Code);
        // A cache that kept the redirect would swallow the clicks behind it.
        HttpContext.Response.Headers.CacheControl = "no-store";
        var data = new Data(dataSource);
        var counting = !HttpMethods.IsHead(HttpContext.Request.Method);
        var visitor = VisitorCookie.Read(HttpContext.Request);
        var live = counting
            ? await data.RecordAsync(code, ClientNetwork.Normalize(HttpContext.Connection.RemoteIpAddress), Header("User-Agent", 512), Header("Referer", 2048), visitor, ct)
            : await data.IsLiveAsync(code, ct);
        if (!live)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "This referral link is unknown or no longer active.");
            return;
        }

        if (counting)
        {
            VisitorCookie.Write(HttpContext, visitor);
            ReferralTelemetry.Clicks.Add(1);
        }

        await Send.RedirectAsync(options.Value.SignupLink(code), isPermanent: false, allowRemoteRedirects: true);
    }

    private object Header(string name, int max)
    {
        var value = HttpContext.Request.Headers[name].ToString();
        // Stored whatever the client sent: cut on a character boundary, never refused, so the click counts.
        return value.Length == 0 ? DBNull.Value : StorableText.Cut(value, max);
    }
}
