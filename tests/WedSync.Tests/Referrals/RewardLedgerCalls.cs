using System.Net.Http.Json;
using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>The reward ledger's calls, as an org admin, a member or WedSync's billing service would make them.</summary>
public static class RewardLedgerCalls
{
    public static Task<HttpResponseMessage> TransitionAsync(this AppHostFixture fixture, Guid reward, string action, string token, string? reason = null) =>
        fixture.Api.PostJsonAsync($"/api/referrals/rewards/{reward}/{action}", token, new { reason });

    public static async Task<JsonElement> OkJsonAsync(this Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Task<JsonElement> RewardAsync(this AppHostFixture fixture, Guid reward, string token) =>
        fixture.Api.GetAsync($"/api/referrals/rewards/{reward}/ledger", token).OkJsonAsync();

    public static Task<JsonElement> SetRulesAsync(this AppHostFixture fixture, TestMember admin, object rules) =>
        fixture.SetRulesAsync(rules, admin.Token());

    public static Task<JsonElement> SetRulesAsync(this AppHostFixture fixture, object rules, string token)
    {
        var request = ApiCalls.Request(HttpMethod.Put, "/api/referrals/reward-rules", token);
        request.Content = JsonContent.Create(rules);
        return fixture.Api.SendAsync(request).OkJsonAsync();
    }

    /// <summary>Refers a new person and converts them (signed_up): the referral's id, the new user and its two rewards (referrer, referee).</summary>
    public static async Task<(Guid Referral, Guid ReferredUser, Guid ReferrerReward, Guid RefereeReward)> ConvertedAsync(
        this ReferralScenario scenario, AppHostFixture fixture, TestMember referrer, string? clientIp = null)
    {
        using var refer = await scenario.ReferAsync(referrer, ReferralScenario.NewEmail(), clientIp: clientIp ?? ReferralScenario.NewClientIp());
        var created = JsonDocument.Parse(await refer.Content.ReadAsStringAsync()).RootElement;
        Assert.True((int)refer.StatusCode == 201, created.ToString());
        var referredUser = Guid.NewGuid();
        using var convert = await scenario.ConvertAsync(created.GetProperty("referralCode").GetString()!, referredUser, "signed_up");
        Assert.True(convert.IsSuccessStatusCode, await convert.Content.ReadAsStringAsync());
        var referral = created.GetProperty("referralId").GetGuid();
        var referrerReward = (Guid)(await fixture.ExecuteAsync("SELECT id FROM referral_rewards WHERE referral_id = @r AND side = 'referrer'", ("r", referral)))!;
        var refereeReward = (Guid)(await fixture.ExecuteAsync("SELECT id FROM referral_rewards WHERE referral_id = @r AND side = 'referee'", ("r", referral)))!;
        return (referral, referredUser, referrerReward, refereeReward);
    }

    public static async Task<long> EntriesAsync(this AppHostFixture fixture, Guid reward, string transition) =>
        (long)(await fixture.ExecuteAsync("SELECT count(*) FROM referral_reward_ledger WHERE reward_id = @r AND transition = @t",
            ("r", reward), ("t", transition)))!;

    /// <summary>Sends all at once and returns each status with its body.</summary>
    public static async Task<List<(int Status, JsonElement Body)>> AllAsync(IEnumerable<Task<HttpResponseMessage>> calls)
    {
        var responses = await Task.WhenAll(calls);
        var outcomes = new List<(int, JsonElement)>();
        foreach (var response in responses)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync();
                outcomes.Add(((int)response.StatusCode, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone()));
            }
        }

        return outcomes;
    }
}
