using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// Bad input to every alert-subscription endpoint is a 4xx problem with nothing written; callers who are
/// not platform admins get 403 and change nothing; the secret is shown once and never listed.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AlertSubscriptionInputTests(AppHostFixture fixture)
{
    private const string Path = "/api/monitoring/alert-subscriptions";

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"minimumSeverity":"high"}""", "url" },
        { """{"url":"","minimumSeverity":"high"}""", "url" },
        { """{"url":"ftp://example.com/hook","minimumSeverity":"high"}""", "url" },
        { """{"url":"/relative/hook","minimumSeverity":"high"}""", "url" },
        { """{"url":"javascript:alert(1)","minimumSeverity":"high"}""", "url" },
        { """{"url":"https://example.com/hook"}""", "minimumSeverity" },
        { """{"url":"https://example.com/hook","minimumSeverity":"urgent"}""", "minimumSeverity" },
        { """{"url":"https://example.com/hook","minimumSeverity":"high","eventTypes":[]}""", "eventTypes" },
        { """{"url":"https://example.com/hook","minimumSeverity":"high","eventTypes":["slow_query","disk_full"]}""", "eventTypes[1]" },
        { """{"url":"https://example.com/hook","minimumSeverity":"high","secret":"hunter2"}""", "secret" },
        { """{"url":"https://example.com/hook","minimumSeverity":"high","secret":"whsec_c2hvcnQ="}""", "secret" },
        { """{"url":"https://example.com/hook","minimumSeverity":"high","secret":"whsec_not*base64!"}""", "secret" },
        { """{"url":"https://example.com/hook","minimumSeverity":"high","format":"teams"}""", "format" },
    };

    /// <summary>Refused even where loopback and private receivers are allowed (as in these tests): never a place for alerts.</summary>
    public static TheoryData<string, string> AlwaysRefusedTargets => new()
    {
        { "http://169.254.169.254/latest/meta-data/", "metadata" },
        { "http://[fd00:ec2::254]/latest/meta-data/", "metadata" },
        { "http://[::ffff:169.254.169.254]/", "metadata" },
        { "http://[64:ff9b::a9fe:a9fe]/", "metadata" },
        { "http://2852039166/", "metadata" },
        { "http://metadata.google.internal/computeMetadata/v1/", "metadata" },
        { "http://0.0.0.0:8080/hook", "unspecified" },
        { "http://[::]:8080/hook", "unspecified" },
        { "http://224.0.0.1/hook", "multicast" },
        { "http://[ff02::1]/hook", "multicast" },
    };

    [Theory]
    [MemberData(nameof(AlwaysRefusedTargets))]
    public async Task Metadata_unspecified_and_multicast_targets_are_400_problems_naming_the_rule(string url, string rule)
    {
        var before = await CountAsync("webhook_subscriptions");
        using var response = await PostRawAsync($$"""{"url":"{{url}}","minimumSeverity":"high"}""", MonitoringCalls.AdminToken);
        var problem = await response.AssertProblemAsync(400);
        Assert.Contains(rule, problem.GetProperty("errors").GetProperty("url").ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync("webhook_subscriptions"));
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_subscriptions_are_400_problems_naming_the_field_and_store_nothing(string body, string field)
    {
        var before = await CountAsync("webhook_subscriptions");
        using var response = await PostRawAsync(body, MonitoringCalls.AdminToken);
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await CountAsync("webhook_subscriptions"));
    }

    [Theory]
    [InlineData("""{"url":"https://example.com/hook","minimumSeverity":"high","extra":1}""")]
    [InlineData("""{"url":"https://example.com/hook",""")]
    [InlineData("""["https://example.com/hook"]""")]
    public async Task Malformed_bodies_are_400_problems_and_store_nothing(string body)
    {
        var before = await CountAsync("webhook_subscriptions");
        using var response = await PostRawAsync(body, MonitoringCalls.AdminToken);
        await response.AssertProblemAsync(400);
        Assert.Equal(before, await CountAsync("webhook_subscriptions"));
    }

    [Fact]
    public async Task Unknown_or_malformed_ids_are_problems()
    {
        var unknown = Guid.NewGuid();
        var cases = new (HttpMethod Method, string Path, int Status)[]
        {
            (HttpMethod.Delete, $"{Path}/{unknown}", 404),
            (HttpMethod.Get, $"{Path}/{unknown}/deliveries", 404),
            (HttpMethod.Post, $"{Path}/{unknown}/resume", 404),
            (HttpMethod.Delete, $"{Path}/not-a-guid", 400),
            (HttpMethod.Get, $"{Path}/not-a-guid/deliveries", 400),
            (HttpMethod.Get, $"{Path}/{unknown}/deliveries?limit=0", 400),
            (HttpMethod.Get, $"{Path}/{unknown}/deliveries?limit=501", 400),
            (HttpMethod.Get, $"{Path}/{unknown}/deliveries?limit=ten", 400),
        };
        foreach (var (method, path, status) in cases)
        {
            using var response = await fixture.Api.SendAsync(ApiCalls.Request(method, path, MonitoringCalls.AdminToken));
            await response.AssertProblemAsync(status);
        }
    }

    [Fact]
    public async Task Only_platform_admins_manage_subscriptions_and_the_secret_is_shown_once()
    {
        var member = TestTokens.For(Guid.NewGuid());
        var service = TestTokens.For(Guid.NewGuid(), ["service"]);
        var (id, secret) = await fixture.Api.SubscribeAsync(new { url = "https://alerts.example.com/hook", minimumSeverity = "critical" });
        try
        {
            var before = await CountAsync("webhook_subscriptions");
            foreach (var token in new[] { member, service })
            {
                using (var create = await PostRawAsync("""{"url":"https://example.com/hook","minimumSeverity":"high"}""", token))
                {
                    await create.AssertProblemAsync(403);
                }

                foreach (var (method, path) in new[]
                {
                    (HttpMethod.Get, Path),
                    (HttpMethod.Delete, $"{Path}/{id}"),
                    (HttpMethod.Get, $"{Path}/{id}/deliveries"),
                    (HttpMethod.Post, $"{Path}/{id}/resume"),
                    (HttpMethod.Get, "/api/monitoring/locks"),
                })
                {
                    using var response = await fixture.Api.SendAsync(ApiCalls.Request(method, path, token));
                    await response.AssertProblemAsync(403);
                }
            }

            Assert.Equal(before, await CountAsync("webhook_subscriptions"));

            // Listed without its secret; resuming one that is not paused is a conflict.
            var listed = await fixture.Api.GetOkAsync(Path);
            var item = listed.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == id);
            Assert.DoesNotContain(secret, listed.ToString(), StringComparison.Ordinal);
            Assert.False(item.TryGetProperty("secret", out _));
            Assert.False(item.GetProperty("paused").GetBoolean());
            using (var resume = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, $"{Path}/{id}/resume", MonitoringCalls.AdminToken)))
            {
                await resume.AssertProblemAsync(409);
            }

            var log = await fixture.Api.GetOkAsync($"{Path}/{id}/deliveries");
            Assert.Empty(log.GetProperty("deliveries").EnumerateArray());
        }
        finally
        {
            using var delete = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Delete, $"{Path}/{id}", MonitoringCalls.AdminToken));
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var again = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Delete, $"{Path}/{id}", MonitoringCalls.AdminToken));
        await again.AssertProblemAsync(404);
        Assert.Equal(0L, await CountAsync("monitoring_alert_filters", id));
    }

    private Task<HttpResponseMessage> PostRawAsync(string body, string token)
    {
        var request = ApiCalls.Request(HttpMethod.Post, Path, token);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return fixture.Api.SendAsync(request);
    }

    private async Task<long> CountAsync(string table, Guid? subscription = null)
    {
        await using var connection = fixture.OpenDatabase();
        // The table name is one of this class's constants, never input.
        await using var count = new NpgsqlCommand(
            subscription is null ? $"SELECT count(*) FROM {table}" : $"SELECT count(*) FROM {table} WHERE subscription_id = @id", connection);
        if (subscription is not null)
        {
            count.Parameters.AddWithValue("id", subscription.Value);
        }

        return (long)(await count.ExecuteScalarAsync())!;
    }
}
