using Microsoft.Playwright;

namespace WedSync.Tests.Console;

/// <summary>
/// One headless Debian chromium for the console's browser tests (Playwright's own browser download is
/// not available here; .ci/run installs the <c>chromium</c> package). Each test gets a context of its own,
/// so cookies never leak from one signed-in person to the next.
/// </summary>
public sealed class ConsoleBrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Small shared CI machines: no GPU, and /dev/shm may be tiny.
            Args = ["--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
