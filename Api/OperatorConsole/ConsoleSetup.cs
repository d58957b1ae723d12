using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.FluentUI.AspNetCore.Components;
using WedSync.Api.OperatorConsole.Components;
using WedSync.Api.Platform.Auth;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// The operator console: Razor components rendered on the server (static SSR with streaming, enhanced
/// navigation and forms; no interactive render mode, no SPA build) under <see cref="BasePath"/>. The
/// API keeps bearer tokens; the console signs people in with a cookie of its own, which counts for
/// <see cref="BasePath"/> only, so no API operation ever accepts it (no cross-site request can act
/// with a console cookie on the API).
/// </summary>
public static class ConsoleSetup
{
    public const string BasePath = "/console";

    /// <summary>The console's cookie scheme; its principal carries the same claims as an API token (sub, roles, email).</summary>
    public const string CookieScheme = "Console";

    public const string OidcScheme = "ConsoleOidc";

    public static WebApplicationBuilder AddWedSyncConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<ConsoleSession>();
        builder.Services.AddSingleton<Charts.ChartCache>();

        var authentication = builder.Services.AddAuthentication()
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = "wedsync.console";
                cookie.Cookie.Path = BasePath;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = $"{BasePath}/signin";
                cookie.AccessDeniedPath = $"{BasePath}/forbidden";
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                ConsoleSessionRevocation.Configure(cookie.Events);
            });

        // With an OIDC provider configured, people sign in there; the cookie keeps the session.
        var authority = builder.Configuration[$"{AuthOptions.SectionName}:Authority"];
        if (!string.IsNullOrWhiteSpace(authority))
        {
            authentication.AddOpenIdConnect(OidcScheme, oidc =>
            {
                oidc.SignInScheme = CookieScheme;
                oidc.CallbackPath = $"{BasePath}/signin-oidc";
                oidc.SignedOutCallbackPath = $"{BasePath}/signout-callback-oidc";
                oidc.ResponseType = "code";
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = true;
                oidc.TokenValidationParameters.NameClaimType = ClaimNames.Subject;
                oidc.TokenValidationParameters.RoleClaimType = ClaimNames.Roles;
            });
            builder.Services.AddOptions<OpenIdConnectOptions>(OidcScheme)
                .Configure<IOptions<AuthOptions>, IConfiguration, IHostEnvironment>((oidc, auth, configuration, environment) =>
                {
                    oidc.Authority = auth.Value.Authority;
                    oidc.ClientId = configuration["Console:ClientId"] ?? auth.Value.Audience;
                    oidc.ClientSecret = configuration["Console:ClientSecret"];
                    oidc.RequireHttpsMetadata = !environment.IsDevelopment();
                });
        }

        return builder;
    }

    /// <summary>
    /// For requests under <see cref="BasePath"/> only: the console cookie decides who is signed in
    /// (API operations keep the bearer scheme). Call after UseAuthentication.
    /// </summary>
    public static IApplicationBuilder UseWedSyncConsoleIdentity(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(BasePath),
            console => console.Use(async (context, next) =>
            {
                ConsoleSecurityHeaders.ApplyWhenStarting(context.Response);
                var result = await context.AuthenticateAsync(CookieScheme);
                if (result.Succeeded)
                {
                    context.User = result.Principal;
                }
                else if (!IsPublic(context.Request.Path) && HttpMethods.IsGet(context.Request.Method) && !WantsDocument(context.Request))
                {
                    // A script, stream or fetch cannot follow a redirect to an HTML page: a 401 problem says why.
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }
                else if (!IsPublic(context.Request.Path) && HttpMethods.IsGet(context.Request.Method))
                {
                    // Nobody signed in: to the sign-in page before anything renders, and back after.
                    var returnUrl = Uri.EscapeDataString($"{context.Request.Path.Value!.TrimStart('/')}{context.Request.QueryString}");
                    context.Response.Redirect($"{BasePath}/signin?returnUrl={returnUrl}");
                    return;
                }

                await next(context);
            }));

    /// <summary>
    /// A page load or enhanced navigation (which asks for text/html); not a module script, an EventSource
    /// or a fetch, which browsers mark with Sec-Fetch-Dest. Clients without fetch metadata get the page.
    /// </summary>
    private static bool WantsDocument(HttpRequest request)
    {
        var destination = request.Headers["Sec-Fetch-Dest"].ToString();
        return destination.Length == 0 || destination == "document"
            || request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What a person who is not signed in may load: the sign-in pages and the static files.</summary>
    private static bool IsPublic(PathString path) =>
        path.StartsWithSegments($"{BasePath}/signin") || path.StartsWithSegments($"{BasePath}/signin-oidc-start")
        || path.StartsWithSegments($"{BasePath}/signin-oidc") || path.StartsWithSegments($"{BasePath}/signout-callback-oidc")
        || IsStaticAsset(path);

    public static WebApplication MapWedSyncConsole(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>();
        app.MapGet($"{BasePath}/signin-oidc-start", (HttpContext context) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = BasePath }, [OidcScheme]))
            .ExcludeFromDescription();
        // A cross-site form must not sign an operator out: the form carries the antiforgery token.
        app.MapPost($"{BasePath}/signout", async (HttpContext context, IAntiforgery antiforgery) =>
            {
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                        detail: "Sign out from the console's own page: the request carried no valid antiforgery token.");
                }

                await ConsoleSessionRevocation.SignOutAsync(context);
                return Results.LocalRedirect($"{BasePath}/signin");
            })
            .DisableAntiforgery()
            .ExcludeFromDescription();
        app.MapGet($"{BasePath}/events/stream", ConsoleEventStream.StreamAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The static files the console's pages load: cheap, the same for everyone, never rate limited.</summary>
    public static bool IsStaticAsset(PathString path) =>
        path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments($"{BasePath}/assets");

    public static bool UsesOidc(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{AuthOptions.SectionName}:Authority"]);
}
