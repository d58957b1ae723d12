using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using WedSync.Api.Features.Migrations;
using WedSync.Api.Platform.Health;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>The request table over HTTP for platform admins, and /health's journal check.</summary>
[Collection(AppHostCollection.Name)]
public sealed class MigrationStatusApiTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Platform_admin_gets_the_request_table_with_every_request_complete()
    {
        using var response = await fixture.Api.GetAsync("/api/migrations", TestTokens.For(Guid.NewGuid(), ["platform_admin"]));

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var requests = body.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(["WS-047", "WS-153", "WS-154", "WS-159", "WS-166", "WS-167", "WS-168", "WS-170"],
            requests.Select(r => r.GetProperty("requestId").GetString()));
        Assert.All(requests, r => Assert.Equal("complete", r.GetProperty("state").GetString()));
        var script = requests[0].GetProperty("scripts")[0];
        Assert.Matches("^[0-9a-f]{64}$", script.GetProperty("checksum").GetString());
        Assert.Equal(JsonValueKind.Number, script.GetProperty("durationMs").ValueKind);
    }

    [Fact]
    public async Task Org_owner_may_not_read_the_migration_status()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER");

        using var response = await fixture.Api.GetAsync("/api/migrations", organization["OWNER"].Token());

        await response.AssertProblemAsync(403);
    }

    [Fact]
    public async Task Journal_health_check_is_unhealthy_until_the_catalog_is_applied()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var check = new MigrationsAppliedHealthCheck(new MigrationCatalogStatus(dataSource));
        var context = new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("migrations-applied", check, HealthStatus.Unhealthy, null),
        };

        var before = await check.CheckHealthAsync(context);
        Assert.True((await TestScripts.Engine(database.ConnectionString).UpAsync(CancellationToken.None)).Succeeded);
        var after = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("WS-170", before.Description);
        Assert.Equal(HealthStatus.Healthy, after.Status);
    }
}
