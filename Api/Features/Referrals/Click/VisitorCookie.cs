namespace WedSync.Api.Features.Referrals.Click;

/// <summary>
/// The first-party cookie that tells one browser's repeat clicks from other people's: behind one NAT
/// address many people share an address and a browser build, so those cannot name a visitor.
/// </summary>
public static class VisitorCookie
{
    public const string Name = "wedsync_visitor";

    /// <summary>Clicks of one visitor on one code within this window count once; the cookie lives no longer.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromHours(1);

    /// <summary>The visitor the request's cookie names, or a new one (no cookie, or one that is not ours).</summary>
    public static Guid Read(HttpRequest request) =>
        Guid.TryParseExact(request.Cookies[Name], "N", out var visitor) && visitor != Guid.Empty ? visitor : Guid.NewGuid();

    /// <summary>Given (again) with each click, so it lasts the window from the latest one.</summary>
    public static void Write(HttpContext context, Guid visitor) =>
        context.Response.Cookies.Append(Name, visitor.ToString("N"), new CookieOptions
        {
            HttpOnly = true,
            // Secure whenever the client reached us over HTTPS (behind a trusted proxy: its X-Forwarded-Proto).
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/r",
            MaxAge = RepeatWindow,
            IsEssential = true,
        });
}
