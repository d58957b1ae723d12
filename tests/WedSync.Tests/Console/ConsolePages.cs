using Microsoft.Playwright;
using WedSync.Api.Platform.Auth;

namespace WedSync.Tests.Console;

/// <summary>Signing in through the console's Development page and opening its pages, as a person would.</summary>
public static class ConsolePages
{
    /// <summary>A fresh context (no cookies), signed in as a demo user by clicking their button.</summary>
    public static async Task<IPage> SignInAsync(IBrowser browser, Uri api, string email)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = api.ToString(), TimezoneId = "Europe/Berlin" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/console/signin");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = email }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>A full (non-enhanced) load of a page, so the status code is the page's own.</summary>
    public static async Task<(int Status, string Html)> OpenAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.NotNull(response);
        return (response.Status, await page.ContentAsync());
    }

    public static Guid UserId(string email) => DemoUsers.ByEmail[email];

    /// <summary>docs/ of the repository: screenshots made by the test run are shown in the README.</summary>
    public static string DocsPath(string file)
    {
        var repository = Path.GetDirectoryName(Path.GetDirectoryName(new Projects.Api().ProjectPath)!)!;
        var docs = Path.Combine(repository, "docs");
        Directory.CreateDirectory(docs);
        return Path.Combine(docs, file);
    }
}
