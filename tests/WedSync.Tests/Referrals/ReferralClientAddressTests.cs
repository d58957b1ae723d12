using System.Net;
using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 16, kind 4: behind a reverse proxy the client is the one the trusted proxy names, and IPv6
/// clients are keyed by their /64. The shared fixture trusts loopback (the test process) as its proxy;
/// the untrusted case is in <see cref="OutsideUtc.UntrustedProxyTests"/>.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralClientAddressTests(AppHostFixture fixture)
{
    /// <summary>The example: six users of six organizations through one proxy are six clients.</summary>
    [Fact]
    public async Task Six_users_behind_one_proxy_are_six_clients_none_blocked_and_their_addresses_stored()
    {
        var clients = Enumerable.Range(0, 6).Select(_ => ReferralScenario.NewClientIp()).ToList();
        var ids = new List<(Guid Referral, string Client)>();
        foreach (var client in clients)
        {
            var scenario = await ReferralScenario.CreateAsync(fixture);
            using var response = await scenario.ReferAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail(), clientIp: client);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, body);
            ids.Add((JsonDocument.Parse(body).RootElement.GetProperty("referralId").GetGuid(), client));
        }

        foreach (var (referral, client) in ids)
        {
            Assert.Equal(client, await fixture.ExecuteAsync("SELECT host(client_ip) FROM referrals WHERE id = @id", ("id", referral)));
        }
    }

    /// <summary>
    /// Found in Azure Container Apps' tracker (microsoft/azure-container-apps#272): a dual-stack socket
    /// reports IPv4 peers as ::ffff:a.b.c.d. Such a client is stored, and counted, as its IPv4 address.
    /// </summary>
    [Fact]
    public async Task An_ipv4_mapped_client_is_stored_and_counted_as_ipv4()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var ipv4 = ReferralScenario.NewClientIp();
        var created = await ReferWithClientAsync(scenario, $"::ffff:{ipv4}");

        Assert.Equal(ipv4, await fixture.ExecuteAsync("SELECT host(client_ip) FROM referrals WHERE id = @id", ("id", created)));
        Assert.Equal(1, await fixture.ExecuteAsync(
            "SELECT used FROM referral_limit_counters WHERE rule = 'referrals_per_ip_per_day' AND subject = @ip AND window_start = date_trunc('day', now(), 'UTC')",
            ("ip", ipv4)));
    }

    /// <summary>The example: anonymous /r/{code} clicks are limited per client, not per proxy.</summary>
    [Fact]
    public async Task Anonymous_clicks_are_rate_limited_per_client_not_per_proxy()
    {
        var code = await NewCodeAsync();
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);
        var busy = ReferralScenario.NewClientIp();

        var limited = await ClickUntilLimitedAsync(clicks, code, busy);

        Assert.True(limited, "the busy client was never limited");
        using var other = await ClickAsync(clicks, code, ReferralScenario.NewClientIp());
        Assert.Equal(HttpStatusCode.Found, other.StatusCode);
        // Stored, counted once and the repeats kept as filtered (issue 24).
        Assert.True((long)(await fixture.ExecuteAsync(
            "SELECT (SELECT count(*) FROM referral_clicks WHERE host(ip) = @ip) + (SELECT count(*) FROM referral_clicks_filtered WHERE host(ip) = @ip)", ("ip", busy)))! >= 100);
    }

    /// <summary>An IPv6 client is its /64: a neighbour in the same /64 shares the limit, the next /64 does not.</summary>
    [Fact]
    public async Task Anonymous_clicks_of_one_ipv6_64_share_a_limit()
    {
        var code = await NewCodeAsync();
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);
        var prefix = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";

        Assert.True(await ClickUntilLimitedAsync(clicks, code, $"{prefix}::1"), "the /64 was never limited");

        using var neighbour = await ClickAsync(clicks, code, $"{prefix}:ffff:ffff:ffff:2");
        Assert.Equal(HttpStatusCode.TooManyRequests, neighbour.StatusCode);
        using var nextNetwork = await ClickAsync(clicks, code, $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:0::1");
        Assert.Equal(HttpStatusCode.Found, nextNetwork.StatusCode);
    }

    /// <summary>Referrals from two addresses of one IPv6 /64 count against one per-IP daily limit (5), concurrently.</summary>
    [Fact]
    public async Task Twenty_concurrent_referrals_from_one_ipv6_64_stop_at_the_per_ip_limit()
    {
        var organization = await TestOrganization.CreateAsync(fixture, ["OWNER", .. Enumerable.Repeat("MEMBER", 19)]);
        await fixture.ExecuteAsync("UPDATE user_profiles SET created_at = now() - interval '90 days' WHERE organization_id = @org", ("org", organization.Id));
        var scenario = new ReferralScenario(fixture, organization);
        var prefix = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";

        var outcomes = await Task.WhenAll(organization.Members.Select((member, i) =>
            StatusAndReasonsAsync(scenario.ReferAsync(member, ReferralScenario.NewEmail(), clientIp: i % 2 == 0 ? $"{prefix}::a" : $"{prefix}:1:2:3:b"))));

        Assert.Equal(5, outcomes.Count(o => o.Status == 201));
        Assert.All(outcomes.Where(o => o.Status != 201), o =>
        {
            Assert.Equal(422, o.Status);
            Assert.Contains("ip_daily_limit", o.Reasons);
        });
        Assert.Equal(5L, await fixture.ExecuteAsync(
            "SELECT count(*) FROM referrals WHERE organization_id = @org AND client_ip << @net::inet", ("org", organization.Id), ("net", $"{prefix}::/64")));
    }

    internal static async Task<(int Status, string[] Reasons)> StatusAndReasonsAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var body = await response.Content.ReadAsStringAsync();
        var reasons = (int)response.StatusCode >= 400 && JsonDocument.Parse(body).RootElement.TryGetProperty("reasons", out var r)
            ? r.EnumerateArray().Select(x => x.GetString()!).ToArray()
            : [];
        return ((int)response.StatusCode, reasons);
    }

    private async Task<Guid> ReferWithClientAsync(ReferralScenario scenario, string client)
    {
        using var response = await scenario.ReferAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail(), clientIp: client);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("referralId").GetGuid();
    }

    private async Task<string> NewCodeAsync()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        return created.GetProperty("referralCode").GetString()!;
    }

    private static Task<HttpResponseMessage> ClickAsync(HttpClient clicks, string code, string client)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{code}");
        request.Headers.Add("X-Forwarded-For", client);
        return clicks.SendAsync(request);
    }

    /// <summary>Clicks as one client until 429, at most twice the anonymous limit (a window may renew mid-loop).</summary>
    private static async Task<bool> ClickUntilLimitedAsync(HttpClient clicks, string code, string client)
    {
        for (var i = 0; i < 2 * 120; i++)
        {
            using var response = await ClickAsync(clicks, code, client);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return true;
            }

            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        return false;
    }
}
