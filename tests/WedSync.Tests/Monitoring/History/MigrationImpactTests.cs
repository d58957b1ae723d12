using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.History;

/// <summary>What a migration request changed, measured from the query history around its journal entry.</summary>
[Collection(HistoryCollection.Name)]
public sealed class MigrationImpactTests(HistoryFixture fixture)
{
    /// <summary>
    /// A lookup served by an index; request WS-990 (an extra script, applied by the real migrator) drops
    /// the index; the same lookup afterwards scans the table. The impact endpoint names it as slower.
    /// </summary>
    [Fact]
    public async Task A_request_that_drops_an_index_names_the_query_that_got_slower()
    {
        var table = $"imp_{Guid.NewGuid():N}"[..16];
        await fixture.ExecuteAsync($"""
            CREATE TABLE public.{table} (id int PRIMARY KEY, k int NOT NULL, pad text NOT NULL);
            ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY;
            INSERT INTO public.{table} SELECT g, g, repeat('x', 100) FROM generate_series(1, 100000) g;
            CREATE INDEX {table}_k ON public.{table} (k);
            ANALYZE public.{table};
            """);
        var lookup = $"SELECT pad FROM public.{table} WHERE k = @k";
        async Task WorkloadAsync()
        {
            for (var i = 0; i < 20; i++)
            {
                await fixture.ExecuteAsync(lookup, ("k", 1 + (i * 4999)));
            }
        }

        await fixture.NextCaptureAsync();
        await WorkloadAsync();
        await fixture.NextCaptureAsync();

        var folder = TestScripts.Folder("20250901509900_ws990_drop_lookup_index.sql", $"DROP INDEX public.{table}_k;\n");
        try
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(fixture.DatabaseConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        await fixture.NextCaptureAsync();
        await WorkloadAsync();
        await fixture.NextCaptureAsync();

        var impact = await fixture.Api.GetOkAsync("/api/migrations/ws-990/impact?top=100");
        Assert.Equal("WS-990", impact.GetProperty("requestId").GetString());
        Assert.Contains("20250901509900_ws990_drop_lookup_index.sql", impact.GetProperty("scripts").EnumerateArray().Select(s => s.GetString()));
        var regression = impact.GetProperty("regressions").EnumerateArray()
            .Single(r => r.GetProperty("statement").GetProperty("query").GetString()!.Contains(table, StringComparison.Ordinal));
        var statement = regression.GetProperty("statement");
        Assert.Equal(20, statement.GetProperty("callsBefore").GetInt64());
        Assert.Equal(20, statement.GetProperty("callsAfter").GetInt64());
        Assert.True(statement.GetProperty("change").GetDouble() >= 1.5);
        Assert.StartsWith("after WS-990, `SELECT pad FROM public." + table, regression.GetProperty("summary").GetString());

        using var unknown = await fixture.Api.GetAsync("/api/migrations/WS-98765/impact", MonitoringCalls.AdminToken);
        await unknown.AssertProblemAsync(404);
        using var notAdmin = await fixture.Api.GetAsync("/api/migrations/WS-990/impact", TestTokens.For(Guid.NewGuid(), []));
        Assert.Equal(403, (int)notAdmin.StatusCode);
    }
}
