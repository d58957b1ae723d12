using System.Diagnostics;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;
using Xunit.Abstractions;

namespace WedSync.Tests.Api;

/// <summary>
/// Issue 24, done-when: no endpoint answers 500 to any input of the README's fuzz tool (bench/fuzz/fuzz.py),
/// and every answer is one the OpenAPI document allows. A bounded run against the shared test app.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ApiFuzzTests(AppHostFixture fixture, ITestOutputHelper log)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task No_hostile_input_of_the_fuzz_tool_gets_a_500_or_an_undocumented_answer()
    {
        // Several users: each has its own rate-limit window, so the run is not throttled into 429s.
        var scenario = await ReferralScenario.CreateAsync(fixture, 90, ["OWNER", "ADMIN", .. Enumerable.Repeat("MEMBER", 28)]);
        var organization = scenario.Organization;
        // A live code, so /r/{code} reaches the click and the redirect with every odd header.
        var code = (await scenario.ReferOkAsync(organization["OWNER"], ReferralScenario.NewEmail())).GetProperty("referralCode").GetString()!;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(RepositoryRoot(), "bench", "fuzz", "fuzz.py"), "--base-url", fixture.Api.BaseAddress!.ToString(), "--seconds", Budget.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--value", $"code={code}" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var member in organization.Members)
        {
            start.ArgumentList.Add("--token");
            start.ArgumentList.Add(member.Token("platform_admin"));
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Budget + TimeSpan.FromSeconds(60));

        var report = $"{await output}\n{await errors}";
        log.WriteLine(report);
        Assert.True(process.ExitCode == 0, report);
        Assert.Matches(@"^\d{3,} requests", report.Split('\n').Last(line => line.Contains("requests", StringComparison.Ordinal)));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WedSync.Aspire.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (WedSync.Aspire.sln) is not above the test assembly.");
    }
}
