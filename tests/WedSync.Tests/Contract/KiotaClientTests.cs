using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using WedSync.Tests.Contract.Client;
using WedSync.Tests.Contract.Client.Models;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Contract;

/// <summary>
/// A client generated from the API's OpenAPI document by Kiota (checked in under Contract/Client)
/// drives the referral loop: create, share, click, convert, stats. Its requests go through the
/// contract check like every test's. The second test keeps the checked-in client the one that the
/// live document generates, so the loop always runs on what the document says today.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class KiotaClientTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Generated_client_drives_the_referral_loop_create_share_click_convert_stats()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        using var http = ApiClients.Create(fixture.Api.BaseAddress!);
        var asOwner = Client(http, owner.Token(), out var ownerAdapter);
        var asService = Client(http, ReferralScenario.ServiceToken, out _);
        void FromClient(RequestConfiguration<DefaultQueryParameters> c) => c.Headers.Add("X-Forwarded-For", scenario.ClientIp);

        var email = ReferralScenario.NewEmail();
        var created = await asOwner.Api.Referrals.PostAsync(new ReferralsCreateRequest { ReferredEmail = email }, FromClient);
        Assert.NotNull(created);
        Assert.Equal("pending", created.Status);
        Assert.Matches("^[A-Z0-9]{8}$", created.ReferralCode);
        Assert.NotNull(created.ReferralId);

        // A second referral of the same person: the document's 409 arrives as its problem type.
        var again = await Assert.ThrowsAsync<ProblemResponse>(() => asOwner.Api.Referrals.PostAsync(new ReferralsCreateRequest { ReferredEmail = email }, FromClient));
        Assert.Equal(409, again.Status);
        Assert.Equal(409, again.ResponseStatusCode);

        var share = await asOwner.Api.Referrals[created.ReferralCode!.ToLowerInvariant()].Shares.PostAsync(
            new ReferralsShareRequest { ShareType = "social", Platform = "instagram" });
        Assert.Equal(created.ReferralCode, share!.Code);
        Assert.Equal("social", share.ShareType);

        // The share link answers 302, no body: the generated request, sent as is, shows the redirect.
        var clickRequest = asOwner.R[created.ReferralCode].ToGetRequestInformation();
        using var click = await http.SendAsync((await ownerAdapter.ConvertToNativeRequestAsync<HttpRequestMessage>(clickRequest))!);
        Assert.Equal(HttpStatusCode.Found, click.StatusCode);
        // The shared link is the counted /r/{code}; it leads on to sign-up with the code.
        Assert.EndsWith($"/r/{created.ReferralCode}", created.ShareUrl);
        Assert.EndsWith($"?ref={created.ReferralCode}", click.Headers.Location?.ToString());

        var invitee = Guid.NewGuid();
        var signedUp = await asService.Api.Referrals.Conversions.PostAsync(new ReferralsConvertRequest
        {
            ReferralCode = created.ReferralCode,
            ReferredUserId = invitee,
            Event = "signed_up",
            OccurredAt = DateTimeOffset.UtcNow,
        });
        var subscribed = await asService.Api.Referrals.Conversions.PostAsync(new ReferralsConvertRequest
        {
            ReferralCode = created.ReferralCode,
            ReferredUserId = invitee,
            Event = "subscribed",
            OccurredAt = DateTimeOffset.UtcNow,
        });
        Assert.False(signedUp!.AlreadyRecorded);
        Assert.Equal("converted", subscribed!.Status);
        Assert.Equal(2, subscribed.Rewards!.Count);

        var stats = await asOwner.Api.Referrals.Stats.GetAsync();
        Assert.Equal(1, stats!.TotalReferrals);
        Assert.Equal(1, stats.SuccessfulReferrals);
        // Bronze tier: the referrer's 15.00 on signup and 35.00 on subscription.
        Assert.Equal(5000, stats.EarnedRewards);
        Assert.Equal("bronze", stats.Tier);
        Assert.Equal("silver", stats.NextTier?.Tier);

        var page = await asOwner.Api.Referrals.GetAsync(c => c.QueryParameters.PageSize = 5);
        Assert.Equal(1, page!.Total);
        Assert.Equal("converted", Assert.Single(page.Items!).Status);
    }

    [Fact]
    public async Task Checked_in_client_is_the_one_the_live_document_generates()
    {
        var repository = RepositoryRoot();
        var checkedIn = Path.Combine(repository, "tests", "WedSync.Tests", "Contract", "Client");
        var work = Path.Combine(Path.GetTempPath(), "wedsync-kiota-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var document = Path.Combine(work, "v1.json");
            await File.WriteAllTextAsync(document, await fixture.Api.GetStringAsync("/openapi/v1.json"));
            var generated = Path.Combine(work, "client");
            var (exitCode, output) = await RunAsync(Path.Combine(repository, "tests", "WedSync.Tests", "Contract", "generate-client.sh"), document, generated);
            Assert.True(exitCode == 0, $"Kiota could not generate the client from the live document (is the tool restored? dotnet tool restore):\n{output}");

            var expected = Files(generated);
            var actual = Files(checkedIn);
            var differences = expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal)
                .Where(file => !expected.TryGetValue(file, out var e) || !actual.TryGetValue(file, out var a) || e != a)
                .Select(file => $"{file}: {(!actual.ContainsKey(file) ? "missing from the checked-in client" : !expected.ContainsKey(file) ? "no longer generated" : "differs")}")
                .ToList();
            Assert.True(differences.Count == 0,
                "The checked-in Kiota client is not the one /openapi/v1.json generates; run .ci/generate-client and commit:\n" + string.Join("\n", differences));
        }
        finally
        {
            AppHostFixture.TryDelete(work);
        }
    }

    private static WedSyncApiClient Client(HttpClient http, string token, out HttpClientRequestAdapter adapter)
    {
        adapter = new HttpClientRequestAdapter(new Bearer(token), httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') };
        return new WedSyncApiClient(adapter);
    }

    private static Dictionary<string, string> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(file => Path.GetRelativePath(folder, file), file => File.ReadAllText(file).ReplaceLineEndings("\n"))
            : [];

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    /// <summary>The caller's bearer token on every request of the generated client.</summary>
    private sealed class Bearer(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }
    }
}
