using System.Net;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using WedSync.Tests.Contract;
using WedSync.Tests.Contract.Client;
using WedSync.Tests.Contract.Client.Models;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 27's done-when: the generated Kiota client drives invite → click → convert → hold → approve →
/// fulfil, through the contract check like every test's client.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RewardKiotaLoopTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Generated_client_drives_invite_click_convert_hold_approve_fulfil()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        using var http = ApiClients.Create(fixture.Api.BaseAddress!);
        var asOwner = Client(http, owner.Token(), out var ownerAdapter);
        var asBilling = Client(http, ReferralScenario.ServiceToken, out _);

        var rules = await asOwner.Api.Referrals.RewardRules.PutAsync(new ReferralsUpdateRewardRulesRequest { HoldDays = 14, SpendCapPeriod = "month" });
        Assert.Equal(14, rules!.HoldDays);

        var created = await asOwner.Api.Referrals.PostAsync(new ReferralsCreateRequest { ReferredEmail = ReferralScenario.NewEmail() },
            c => c.Headers.Add("X-Forwarded-For", scenario.ClientIp));
        var code = created!.ReferralCode!;
        using (var click = await http.SendAsync((await ownerAdapter.ConvertToNativeRequestAsync<HttpRequestMessage>(asOwner.R[code].ToGetRequestInformation()))!))
        {
            Assert.Equal(HttpStatusCode.Found, click.StatusCode);
        }

        var converted = await asBilling.Api.Referrals.Conversions.PostAsync(new ReferralsConvertRequest
        {
            ReferralCode = code,
            ReferredUserId = Guid.NewGuid(),
            Event = "signed_up",
            OccurredAt = DateTimeOffset.UtcNow,
        });
        Assert.All(converted!.Rewards!, r => Assert.Equal("pending", r.Status));

        var mine = await asOwner.Api.Referrals.Rewards.GetAsync();
        var rewardId = Assert.Single(mine!.Items!).Id!.Value;
        var held = await asOwner.Api.Referrals.Rewards[rewardId].Ledger.GetAsync();
        Assert.Equal(("pending", "holding"), (held!.State, held.WaitReason));

        var approved = await asOwner.Api.Referrals.Rewards[rewardId].Approve.PostAsync(new ReferralsApproveRewardRequest { Reason = "known customer" });
        Assert.Equal(("approved", false), (approved!.State, approved.AlreadyApplied));
        var fulfilled = await asBilling.Api.Referrals.Rewards[rewardId].Fulfilled.PostAsync(new ReferralsAcknowledgeFulfilmentRequest { Reason = "credit note CN-9" });
        var again = await asBilling.Api.Referrals.Rewards[rewardId].Fulfilled.PostAsync(new ReferralsAcknowledgeFulfilmentRequest());
        Assert.Equal(("fulfilled", false), (fulfilled!.State, fulfilled.AlreadyApplied));
        Assert.Equal((true, fulfilled.LedgerEntryId), (again!.AlreadyApplied, again.LedgerEntryId));

        var ledger = await asOwner.Api.Referrals.Rewards[rewardId].Ledger.GetAsync();
        Assert.Equal(new[] { "pending", "approved", "fulfilled" }, ledger!.Entries!.Select(e => e.Transition));
        var balance = await asOwner.Api.Referrals.Balance.GetAsync();
        var usd = Assert.Single(balance!.Balances!);
        Assert.Equal((0L, 0L, 1500L), (usd.PendingCents, usd.OwedCents, usd.PaidCents));
    }

    private static WedSyncApiClient Client(HttpClient http, string token, out HttpClientRequestAdapter adapter)
    {
        adapter = new HttpClientRequestAdapter(new Bearer(token), httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') };
        return new WedSyncApiClient(adapter);
    }

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
