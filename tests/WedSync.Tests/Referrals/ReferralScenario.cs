using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>An organization of referrers whose accounts are old enough to refer, and the calls the loop makes.</summary>
public sealed class ReferralScenario(AppHostFixture fixture, TestOrganization organization)
{
    private static readonly Guid ServiceId = Guid.NewGuid();

    /// <summary>Minted on each use: a token minted once expires (15 min) before a long suite ends.</summary>
    public static string ServiceToken => TestTokens.For(ServiceId, ["service"]);

    public TestOrganization Organization => organization;

    public static async Task<ReferralScenario> CreateAsync(AppHostFixture fixture, int accountAgeDays = 90, params string[] roles)
    {
        var organization = await TestOrganization.CreateAsync(fixture, roles.Length == 0 ? ["OWNER", "MEMBER"] : roles);
        await fixture.ExecuteAsync("UPDATE user_profiles SET created_at = now() - make_interval(days => @days) WHERE organization_id = @org",
            ("days", accountAgeDays), ("org", organization.Id));
        return new ReferralScenario(fixture, organization);
    }

    /// <summary>The client address this scenario's referrals come from (sent as X-Forwarded-For).</summary>
    public string ClientIp { get; } = $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    /// <param name="clientIp">The client the trusted proxy names (X-Forwarded-For); this scenario's <see cref="ClientIp"/> by default.</param>
    public Task<HttpResponseMessage> ReferAsync(TestMember referrer, string email, object? extra = null, string? clientIp = null)
    {
        var request = ApiCalls.Request(HttpMethod.Post, "/api/referrals", referrer.Token());
        request.Content = JsonContent.Create(extra ?? new { referredEmail = email });
        request.Headers.Add("X-Forwarded-For", clientIp ?? ClientIp);
        return fixture.Api.SendAsync(request);
    }

    /// <summary>A client address no other scenario uses (TEST-NET-free private space, random).</summary>
    public static string NewClientIp() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    public async Task<JsonElement> ReferOkAsync(TestMember referrer, string email)
    {
        using var response = await ReferAsync(referrer, email);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public Task<HttpResponseMessage> ConvertAsync(string code, Guid referredUserId, string @event, DateTimeOffset? occurredAt = null) =>
        fixture.Api.PostJsonAsync("/api/referrals/conversions", ServiceToken,
            new { referralCode = code, referredUserId, @event, occurredAt = occurredAt ?? DateTimeOffset.UtcNow });

    public static string NewEmail() => $"invitee-{Guid.NewGuid():N}@couples.test";
}

public static class ReferralFixtureExtensions
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient api, string path, string? token, object body)
    {
        var request = ApiCalls.Request(HttpMethod.Post, path, token);
        request.Content = JsonContent.Create(body);
        return api.SendAsync(request);
    }

    public static async Task<object?> ExecuteAsync(this AppHostFixture fixture, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }
}
