using System.Net;
using Microsoft.Playwright;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Console;

/// <summary>
/// Issue 28, hardening: signing out ends the session on the server (a cookie saved before sign-out used
/// to work for its whole 8 h), and another site cannot sign an operator out (the form carries an
/// antiforgery token). Over plain HTTP with the cookie a real browser got, and through the page's button.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsoleSignOutTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const string Operator = "ops@wedsync.test";

    [Fact]
    public async Task A_cookie_saved_before_sign_out_no_longer_opens_the_console_after_it()
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, Operator);
        var saved = await CookieHeaderAsync(page);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(saved, "/console/events"));

        await page.GotoAsync("/console/events");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/console/signin", StringComparison.Ordinal));

        // The copy taken before sign-out is refused and sent to sign in, as if it had never been issued.
        Assert.Equal(HttpStatusCode.Redirect, await StatusWithAsync(saved, "/console/events"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_sign_out_posted_without_the_forms_antiforgery_token_is_refused_and_the_session_stays()
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, Operator);
        var cookie = await CookieHeaderAsync(page);

        // What a cross-site form can send: the cookie (SameSite=Lax does not cover every case) and no token.
        using var client = ApiClients.Create(fixture.Api.BaseAddress!);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/console/signout") { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(cookie, "/console/events"));
        await page.Context.CloseAsync();
    }

    private static async Task<string> CookieHeaderAsync(IPage page) =>
        string.Join("; ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name}={c.Value}"));

    private async Task<HttpStatusCode> StatusWithAsync(string cookie, string path)
    {
        using var client = ApiClients.Create(fixture.Api.BaseAddress!);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
