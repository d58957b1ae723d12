using System.Net;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>Organization A cannot see, share or convert organization B's referrals, over HTTP or in SQL.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralIsolationTests(AppHostFixture fixture)
{
    [Fact]
    public async Task User_of_org_A_neither_sees_nor_shares_nor_converts_org_B_referrals()
    {
        var a = await ReferralScenario.CreateAsync(fixture);
        var b = await ReferralScenario.CreateAsync(fixture);
        var bReferral = await b.ReferOkAsync(b.Organization["OWNER"], ReferralScenario.NewEmail());
        var bCode = bReferral.GetProperty("referralCode").GetString()!;
        var aToken = a.Organization["OWNER"].Token();

        using var list = await fixture.Api.GetAsync("/api/referrals", aToken);
        using var share = await fixture.Api.PostJsonAsync($"/api/referrals/{bCode}/shares", aToken, new { shareType = "link" });
        using var convert = await fixture.Api.PostJsonAsync("/api/referrals/conversions", aToken,
            new { referralCode = bCode, referredUserId = Guid.NewGuid(), @event = "signed_up", occurredAt = DateTimeOffset.UtcNow });

        Assert.DoesNotContain(bCode, await list.Content.ReadAsStringAsync());
        await share.AssertProblemAsync(404);
        await convert.AssertProblemAsync(403);
        Assert.Equal("pending", await fixture.ExecuteAsync("SELECT status FROM referrals WHERE id = @id", ("id", bReferral.GetProperty("referralId").GetGuid())));
        Assert.Equal(0L, await fixture.ExecuteAsync("SELECT count(*) FROM referral_share_events WHERE organization_id = @org", ("org", b.Organization.Id)));
    }

    [Fact]
    public async Task Request_role_with_claims_of_org_A_sees_no_referral_of_org_B()
    {
        var a = await ReferralScenario.CreateAsync(fixture);
        var b = await ReferralScenario.CreateAsync(fixture);
        await b.ReferOkAsync(b.Organization["OWNER"], ReferralScenario.NewEmail());

        await using var connection = fixture.OpenDatabase();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            """
            SET LOCAL ROLE wedsync_user;
            SELECT set_config('request.jwt.claims', @claims, true);
            SELECT (SELECT count(*) FROM referrals WHERE organization_id = @b) + (SELECT count(*) FROM referral_codes WHERE organization_id = @b);
            """, connection, transaction);
        command.Parameters.AddWithValue("claims", JsonSerializer.Serialize(new { sub = a.Organization["OWNER"].UserId, roles = Array.Empty<string>() }));
        command.Parameters.AddWithValue("b", b.Organization.Id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();

        Assert.Equal(0L, reader.GetInt64(0));
    }

    [Fact]
    public async Task Org_member_may_not_read_analytics()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);

        using var response = await fixture.Api.GetAsync("/api/referrals/analytics", scenario.Organization["MEMBER"].Token());

        await response.AssertProblemAsync(403);
    }

    [Fact]
    public async Task Unknown_code_link_is_404_and_never_redirects()
    {
        using var noRedirect = WedSync.Tests.Contract.ApiClients.Create(fixture.Api.BaseAddress!);

        using var response = await noRedirect.GetAsync("/r/ZZZZ9999?url=https://evil.example");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }
}
