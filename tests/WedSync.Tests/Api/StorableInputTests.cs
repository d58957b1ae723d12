using System.Net;
using System.Text;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Api;

/// <summary>
/// Issue 24, kind 2: text PostgreSQL or the driver cannot encode is refused with a 400 naming the field
/// (before any statement), or, where the API stores whatever a client sent (a click's headers), cut on
/// a character boundary and stored; never a 500.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class StorableInputTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData("""{"q":"a\u0000b"}""", "eventData.q")]
    [InlineData("""{"nested":{"list":["ok","\u0000"]}}""", "eventData.nested.list[1]")]
    [InlineData("""{"lone":"\ud83d"}""", "eventData.lone")]
    public async Task Event_data_the_database_cannot_store_is_400_naming_the_member(string eventData, string field)
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = "{\"eventType\":\"performance_alert\",\"severity\":\"low\",\"eventData\":{\"marker\":\"" + marker + "\",\"value\":" + eventData + "}}";
        using var request = ApiCalls.Request(HttpMethod.Post, "/api/monitoring/events", MonitoringCalls.AdminToken);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Api.SendAsync(request);

        var problem = await response.AssertProblemAsync(400);
        var expected = field.Replace("eventData.", "eventData.value.", StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty(expected, out _), problem.ToString());
        Assert.Equal(0L, await fixture.ExecuteAsync("SELECT count(*) FROM monitoring_events WHERE event_data ->> 'marker' = @marker", ("marker", marker)));
    }

    [Theory]
    [InlineData("done\\u0000")]
    [InlineData("half a pair \\ud83d")]
    public async Task Resolution_notes_the_database_cannot_store_are_400_naming_the_field(string notes)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
            new { eventType = "performance_alert", severity = "low", eventData = new { marker } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

        using var request = ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/events/{id}/resolve", MonitoringCalls.AdminToken);
        // JSON escapes as a client sends them (a serializer would replace the unpaired surrogate).
        request.Content = new StringContent($$"""{"resolutionNotes":"{{notes}}"}""", Encoding.UTF8, "application/json");
        using var response = await fixture.Api.SendAsync(request);

        var problem = await response.AssertProblemAsync(400);
        Assert.Contains("resolutionNotes", problem.GetProperty("errors").ToString(), StringComparison.Ordinal);
        Assert.Null(await fixture.ExecuteAsync("SELECT resolved_at FROM monitoring_events WHERE id = @id", ("id", id)) as DateTime?);
        await fixture.ExecuteAsync("DELETE FROM monitoring_events WHERE id = @id", ("id", id));
    }

    [Fact]
    public async Task Click_with_headers_cut_inside_a_surrogate_pair_is_counted_and_stored_on_a_character_boundary()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var code = (await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail())).GetProperty("referralCode").GetString()!;
        // 511 + 2 UTF-16 units: the stored bound (512) falls between the two halves of the emoji.
        var agent = new string('a', 511) + "\U0001F600";
        var referer = "https://chat.example/" + new string('r', 2026) + "\U0001F600";

        using var client = WedSync.Tests.Contract.ApiClients.Create(fixture.Api.BaseAddress!, headerEncoding: (_, _) => Encoding.UTF8);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{code}");
        request.Headers.TryAddWithoutValidation("User-Agent", agent);
        request.Headers.TryAddWithoutValidation("Referer", referer);
        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Found, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var stored = (string?)await fixture.ExecuteAsync(
            "SELECT user_agent || '|' || referer FROM referral_clicks k JOIN referral_codes c ON c.id = k.referral_code_id WHERE c.code = @code", ("code", code));
        Assert.Equal($"{new string('a', 511)}|{"https://chat.example/" + new string('r', 2026)}", stored);
    }
}
