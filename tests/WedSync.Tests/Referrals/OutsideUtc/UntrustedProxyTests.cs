using System.Net;
using System.Text.Json;

namespace WedSync.Tests.Referrals.OutsideUtc;

/// <summary>
/// Issue 16, kind 4: X-Forwarded-For counts only from a configured proxy. This app trusts none, so a
/// client that writes the header itself (to dodge the per-IP rule, or to frame another address) is
/// still its socket's address.
/// </summary>
[Collection(OutsideUtcCollection.Name)]
public sealed class UntrustedProxyTests(OutsideUtcFixture fixture)
{
    [Fact]
    public async Task X_forwarded_for_from_an_untrusted_sender_is_ignored()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);

        using var response = await scenario.ReferAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail(), clientIp: "203.0.113.77");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var stored = (string?)await fixture.ExecuteAsync("SELECT host(client_ip) FROM referrals WHERE id = @id",
            ("id", JsonDocument.Parse(body).RootElement.GetProperty("referralId").GetGuid()));
        Assert.Contains(stored, new[] { "127.0.0.1", "::1" });
    }
}
