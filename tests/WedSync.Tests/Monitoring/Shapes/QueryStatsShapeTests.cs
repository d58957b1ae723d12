using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.Shapes;

/// <summary>
/// Issue 15, kind 5: pg_stat_statements is found through pg_extension, in any schema and version.
/// Instances: the extension in schema <c>extensions</c> (the example, Supabase's layout; PgHero
/// #338 and heroku-pg-extras #193 failed the same way with their own schemas); version 1.7, the shape an
/// extension created before PostgreSQL 13 keeps until ALTER EXTENSION UPDATE (total_time instead of
/// total_exec_time, no pg_stat_statements_info: the missing-column failure of PgHero #338); not installed
/// (the only 501). Each changes the test database's extension and puts it back as it was.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class QueryStatsShapeTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Extension_in_another_schema_an_older_version_or_none_answer_with_what_is_there()
    {
        var (schema, version) = await InstalledAsync();
        // Recreating the extension must not lose what the catalog says about it (an advisor annotation).
        var comment = await fixture.ExecuteAsync("SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'pg_stat_statements'") as string;
        var createdExtensionsSchema = (bool)(await fixture.ExecuteAsync(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'extensions')"))!;
        try
        {
            await fixture.ExecuteAsync("CREATE SCHEMA IF NOT EXISTS extensions");
            if (schema != "extensions")
            {
                await fixture.ExecuteAsync("ALTER EXTENSION pg_stat_statements SET SCHEMA extensions");
            }

            var moved = await QueryStatsAsync();
            Assert.True(moved.GetProperty("items").GetArrayLength() > 0, moved.ToString());
            Assert.NotEqual(JsonValueKind.Null, moved.GetProperty("statsResetAt").ValueKind);
            var summary = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.True(summary.GetProperty("metrics").GetProperty("pgStatStatementsInstalled").GetBoolean());

            await fixture.ExecuteAsync("DROP EXTENSION pg_stat_statements");
            using (var missing = await fixture.Api.GetAsync("/api/monitoring/query-stats", MonitoringCalls.AdminToken))
            {
                var problem = await missing.AssertProblemAsync(501);
                Assert.Contains("pg_stat_statements", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            await fixture.ExecuteAsync("CREATE EXTENSION pg_stat_statements WITH SCHEMA extensions VERSION '1.7'");
            Assert.Equal("1.7", await fixture.ExecuteAsync("SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'"));
            for (var i = 0; i < 3; i++)
            {
                await fixture.ExecuteAsync("SELECT count(*) FROM pg_class");
            }

            foreach (var order in new[] { "totalTime", "meanTime", "calls" })
            {
                var old = await QueryStatsAsync($"?orderBy={order}");
                var items = old.GetProperty("items").EnumerateArray().ToList();
                Assert.NotEmpty(items);
                Assert.All(items, i => Assert.True(i.GetProperty("totalTimeMs").GetDouble() >= 0));
                Assert.Equal(JsonValueKind.Null, old.GetProperty("statsResetAt").ValueKind);
            }
        }
        finally
        {
            await fixture.ExecuteAsync("DROP EXTENSION IF EXISTS pg_stat_statements");
            await fixture.ExecuteAsync($"CREATE EXTENSION pg_stat_statements WITH SCHEMA {schema} VERSION '{version}'");
            if (comment is not null)
            {
                await using var connection = fixture.OpenDatabase();
                await using var restore = new Npgsql.NpgsqlCommand(
                    "DO $$ BEGIN EXECUTE format('COMMENT ON EXTENSION pg_stat_statements IS %L', current_setting('wedsync_test.comment')); END $$", connection);
                await using (var set = new Npgsql.NpgsqlCommand("SELECT set_config('wedsync_test.comment', @comment, false)", connection))
                {
                    set.Parameters.AddWithValue("comment", comment);
                    await set.ExecuteNonQueryAsync();
                }

                await restore.ExecuteNonQueryAsync();
            }
            if (createdExtensionsSchema)
            {
                await fixture.ExecuteAsync("DROP SCHEMA IF EXISTS extensions");
            }
        }

        Assert.Equal((schema, version), await InstalledAsync());
        Assert.Equal(comment, await fixture.ExecuteAsync("SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'pg_stat_statements'"));
    }

    private async Task<(string Schema, string Version)> InstalledAsync()
    {
        var row = (string)(await fixture.ExecuteAsync("""
            SELECT quote_ident(n.nspname) || ' ' || e.extversion
            FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'pg_stat_statements'
            """))!;
        var parts = row.Split(' ');
        return (parts[0], parts[1]);
    }

    private async Task<JsonElement> QueryStatsAsync(string query = "")
    {
        using var response = await fixture.Api.GetAsync($"/api/monitoring/query-stats{query}", MonitoringCalls.AdminToken);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
