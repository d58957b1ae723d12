using Microsoft.Playwright;

namespace WedSync.Tests.Console;

/// <summary>
/// What went wrong while a page loaded, as a person with the developer tools open would see it: console
/// errors, uncaught exceptions, requests that failed or were answered with an error or a redirect where a
/// file was expected, and Content-Security-Policy violations (the securitypolicyviolation event).
/// </summary>
public sealed class ConsolePageWatch
{
    /// <summary>Records violations in the page itself; run before any of the page's scripts.</summary>
    private const string ViolationRecorder = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
        """;

    private readonly IPage page;
    private readonly List<string> problems = [];
    private string document = "";
    private int documentStatus = 200;

    // Which page load each request belongs to: one the previous page started may be cancelled by leaving it.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IRequest, object> startedBy = new();
    private object load = new();

    private ConsolePageWatch(IPage page)
    {
        this.page = page;
        page.Console += (_, message) =>
        {
            // Chrome logs a page answered 403 or 404 as a failed resource; that page's status is asserted apart.
            var ownStatus = documentStatus >= 400 && message.Location.StartsWith(page.Url, StringComparison.Ordinal)
                && message.Text.Contains($"status of {documentStatus}", StringComparison.Ordinal);
            if (message.Type == "error" && !ownStatus)
            {
                problems.Add($"{document}: console error: {message.Text} at {message.Location}");
            }
        };
        page.PageError += (_, error) => problems.Add($"{document}: uncaught: {error}");
        page.Request += (_, request) => startedBy.AddOrUpdate(request, load);
        page.RequestFailed += (_, request) =>
        {
            // Leaving a page cancels what it still had in flight (Overview's live EventSource, a late fetch):
            // the browser's doing, not a failure of the page being opened.
            var leftBehind = request.Failure == "net::ERR_ABORTED"
                && ((startedBy.TryGetValue(request, out var owner) && owner != load)
                    || request.Url.Contains("/console/events/stream", StringComparison.Ordinal));
            if (!leftBehind)
            {
                problems.Add($"{document}: request failed: {request.Method} {request.Url} ({request.Failure})");
            }
        };
        page.Response += (_, response) =>
        {
            var isDocument = response.Request.ResourceType == "document";
            if (isDocument && response.Request.Frame == page.MainFrame)
            {
                // The page's own status (and the landing redirect) is what OpenAsync asserts.
                return;
            }

            // A script, stylesheet or stream is a file: an error, or a redirect (to the sign-in page), is a fault.
            if (response.Status >= 400 || (!isDocument && response.Status is 301 or 302 or 303 or 307 or 308))
            {
                problems.Add($"{document}: {response.Request.ResourceType} {response.Url} answered {response.Status}");
            }
        };
    }

    public IReadOnlyList<string> Problems => problems;

    public static async Task<ConsolePageWatch> StartAsync(IPage page)
    {
        await page.Context.AddInitScriptAsync(ViolationRecorder);
        return new ConsolePageWatch(page);
    }

    /// <summary>
    /// A full load of <paramref name="path"/>, waited for until blazor.web.js has loaded the libraries'
    /// initializers (every console page loads them) and no more resources arrive; returns the page's status.
    /// </summary>
    public async Task<int> OpenAsync(string path, int expectedStatus = 200)
    {
        document = path;
        documentStatus = expectedStatus;
        load = new object();
        var response = await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var status = response?.Status ?? 0;
        if (status != expectedStatus)
        {
            problems.Add($"{path}: answered {status}, expected {expectedStatus}");
        }

        await page.WaitForFunctionAsync(
            "() => performance.getEntriesByType('resource').some(e => e.name.includes('.lib.module.js'))",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await SettledAsync();
        foreach (var violation in await page.EvaluateAsync<string[]>("() => window.__cspViolations || []"))
        {
            problems.Add($"{path}: CSP violation: {violation}");
        }

        return status;
    }

    /// <summary>Polls until the page has requested nothing new for a second (live pages keep one stream open, so not "network idle").</summary>
    private async Task SettledAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var last = -1;
        while (DateTime.UtcNow < deadline)
        {
            var count = await page.EvaluateAsync<int>("() => performance.getEntriesByType('resource').length");
            if (count == last)
            {
                return;
            }

            last = count;
            await Task.Delay(1000);
        }
    }
}
