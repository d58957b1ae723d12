using System.Net;
using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 16, kind 2: a person is a mailbox, not a spelling. Every identity rule (self, circular, first
/// touch, conversion lookup) compares canonical mailboxes (app.canonical_mailbox, README "Referral identities").
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralIdentityTests(AppHostFixture fixture)
{
    /// <summary>The first example: member@ referring member+friend@ is a self-referral.</summary>
    [Fact]
    public async Task Referring_your_own_mailbox_with_a_tag_is_a_self_referral()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var member = scenario.Organization["MEMBER"];
        var (local, domain) = Split(member.Email);

        using var response = await scenario.ReferAsync(member, $"  {local.ToUpperInvariant()}+friend@{domain.ToUpperInvariant()} ");

        Assert.Contains("self_referral", Reasons(await response.AssertProblemAsync(422)));
    }

    /// <summary>The second example: friend+promo@ from a second organization after friend@ is first touch (409).</summary>
    [Fact]
    public async Task A_tagged_address_referred_from_another_organization_meets_the_first_touch()
    {
        var first = await ReferralScenario.CreateAsync(fixture);
        var second = await ReferralScenario.CreateAsync(fixture);
        var local = $"friend{Guid.NewGuid():N}";
        await first.ReferOkAsync(first.Organization["OWNER"], $"{local}@example.com");

        using var response = await second.ReferAsync(second.Organization["OWNER"], $"{local}+promo@example.com");

        Assert.Contains("already_referred", Reasons(await response.AssertProblemAsync(409)));
    }

    /// <summary>Gmail ignores dots and answers for googlemail.com too: f.r.i.e.n.d@googlemail.com is friend@gmail.com.</summary>
    [Fact]
    public async Task Gmail_dots_and_googlemail_are_the_same_mailbox()
    {
        var first = await ReferralScenario.CreateAsync(fixture);
        var second = await ReferralScenario.CreateAsync(fixture);
        var local = $"friend{Guid.NewGuid():N}"[..16];
        await first.ReferOkAsync(first.Organization["OWNER"], $"{local}@gmail.com");

        using var response = await second.ReferAsync(second.Organization["OWNER"], $"{string.Join('.', local.ToCharArray())}@GoogleMail.com");

        Assert.Contains("already_referred", Reasons(await response.AssertProblemAsync(409)));
    }

    /// <summary>Dots are kept where a provider does not ignore them: a.b@example.com and ab@example.com are two people.</summary>
    [Fact]
    public async Task Dots_elsewhere_are_different_mailboxes()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var local = $"a{Guid.NewGuid():N}"[..12];
        await scenario.ReferOkAsync(scenario.Organization["OWNER"], $"{local[..4]}.{local[4..]}@example.com");

        using var response = await scenario.ReferAsync(scenario.Organization["MEMBER"], $"{local}@example.com");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Circular A→B→C→A, with C naming A by a tagged, upper-cased address.</summary>
    [Fact]
    public async Task A_circular_referral_through_an_alias_is_rejected()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN", "MEMBER"]);
        var (a, b, c) = (scenario.Organization["OWNER"], scenario.Organization["ADMIN"], scenario.Organization["MEMBER"]);
        await LinkAsync(scenario, a, b);
        await LinkAsync(scenario, b, c);
        var (local, domain) = Split(a.Email);

        using var response = await scenario.ReferAsync(c, $"{local.ToUpperInvariant()}+again@{domain}");

        Assert.Contains("circular_referral", Reasons(await response.AssertProblemAsync(422)));
    }

    /// <summary>The signup service reports the address the person signed up with; a tag or case finds the referral.</summary>
    [Fact]
    public async Task A_conversion_reported_for_an_alias_finds_the_referral()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var local = $"couple{Guid.NewGuid():N}";
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], $"{local}@example.com");

        using var response = await fixture.Api.PostJsonAsync("/api/referrals/conversions", ReferralScenario.ServiceToken,
            new { referredEmail = $"{local.ToUpperInvariant()}+wedding@Example.COM", referredUserId = Guid.NewGuid(), @event = "signed_up", occurredAt = DateTimeOffset.UtcNow });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(created.GetProperty("referralId").GetGuid(), JsonDocument.Parse(body).RootElement.GetProperty("referralId").GetGuid());
    }

    /// <summary>The one definition, as the database applies it (and as the per-IP key must match the API's).</summary>
    [Theory]
    [InlineData(" Member+Friend@Evergreen.TEST ", "member@evergreen.test")]
    [InlineData("f.r.i.e.n.d+promo@googlemail.com", "friend@gmail.com")]
    [InlineData("First.Last@gmail.com", "firstlast@gmail.com")]
    [InlineData("first.last@example.com", "first.last@example.com")]
    [InlineData("friend@example.com.", "friend@example.com")]
    [InlineData("+tag@example.com", "+tag@example.com")]
    [InlineData("friend+a+b@xn--bcher-kva.example", "friend@xn--bcher-kva.example")]
    public async Task Canonical_mailbox(string address, string mailbox) =>
        Assert.Equal(mailbox, await fixture.ExecuteAsync("SELECT app.canonical_mailbox(@a)", ("a", address)));

    [Fact]
    public async Task An_internationalized_domain_in_unicode_is_its_punycode_mailbox()
    {
        var first = await ReferralScenario.CreateAsync(fixture);
        var second = await ReferralScenario.CreateAsync(fixture);
        var local = $"friend{Guid.NewGuid():N}";
        await first.ReferOkAsync(first.Organization["OWNER"], $"{local}@xn--bcher-kva.example");

        using var response = await second.ReferAsync(second.Organization["OWNER"], $"{local}@Bücher.example");

        Assert.Contains("already_referred", Reasons(await response.AssertProblemAsync(409)));
    }

    private static (string Local, string Domain) Split(string email) => (email[..email.IndexOf('@')], email[(email.IndexOf('@') + 1)..]);

    private static IEnumerable<string> Reasons(JsonElement problem) => problem.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!);

    private Task LinkAsync(ReferralScenario scenario, TestMember from, TestMember to) =>
        fixture.ExecuteAsync(
            """
            WITH code AS (INSERT INTO referral_codes (organization_id, user_id, code)
                          VALUES (@org, @from, upper(substr(md5(gen_random_uuid()::text), 1, 10))) RETURNING id)
            INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referred_email, referred_user_id, status, signed_up_at)
            SELECT @org, code.id, @from, @email, @to, 'signed_up', now() FROM code
            """,
            ("org", scenario.Organization.Id), ("from", from.UserId), ("to", to.UserId), ("email", $"chain-{Guid.NewGuid():N}@test.invalid"));
}
