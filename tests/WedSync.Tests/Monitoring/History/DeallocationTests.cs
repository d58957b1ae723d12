using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;

namespace WedSync.Tests.Monitoring.History;

/// <summary>
/// pg_stat_statements keeps pg_stat_statements.max entries and evicts the least used when more distinct
/// statements come (pg_profile#116, PgHero's history has the same gap): an evicted statement that comes
/// back starts from 0, so an interval's difference can count it short. History says so instead of
/// silently undercounting: every capture records the eviction rounds of its interval, and the window
/// ranking, a statement's series and the since-reset ranking carry them. On a server of its own with the
/// smallest pg_stat_statements.max (100), because flooding the shared server would evict other tests' statements.
/// </summary>
public sealed class DeallocationTests
{
    [Fact]
    public async Task A_window_in_which_pg_stat_statements_evicted_statements_says_so_and_a_quiet_one_says_none()
    {
        await using var server = await PostgresServerProcess.StartAsync(
            ("shared_preload_libraries", "pg_stat_statements"), ("pg_stat_statements.max", "100"), ("pg_stat_statements.track", "top"));
        var connectionString = server.ConnectionString("wedsync");
        var (exitCode, output) = await MigratorProcess.RunAsync(connectionString, "up");
        Assert.True(exitCode == 0, output);
        await using var api = await ApiServer.StartAsync(connectionString, new Dictionary<string, string> { ["Monitoring:SamplerEnabled"] = "false" });

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task<object?> ScalarAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync();
        }

        async Task<DateTimeOffset> CaptureAsync()
        {
            await ScalarAsync("SELECT monitoring_history.maintain_query_partitions(interval '14 days', 2)");
            await ScalarAsync("SELECT monitoring_history.capture_queries(50)");
            return new DateTimeOffset((DateTime)(await ScalarAsync("SELECT max(captured_at) FROM monitoring_history.query_captures"))!, TimeSpan.Zero);
        }

        // A full reset empties pg_stat_statements and its dealloc count, so the quiet interval has room.
        await ScalarAsync($"SELECT {await ExtensionSchemaPrefixAsync(connection)}pg_stat_statements_reset()");
        var start = await CaptureAsync();
        for (var i = 0; i < 5; i++)
        {
            await ScalarAsync("SELECT count(*) AS dealloc_probe FROM pg_namespace");
        }

        var quiet = await CaptureAsync();
        // 150 distinct statements (IN lists of every length are distinct query ids) overflow the 100 entries.
        for (var n = 1; n <= 150; n++)
        {
            await ScalarAsync($"SELECT count(*) FROM pg_class WHERE oid IN ({string.Join(", ", Enumerable.Range(1, n))})");
        }

        var flooded = await CaptureAsync();

        var quietWindow = await api.Client.GetOkAsync($"/api/monitoring/query-stats?from={HistoryCaptures.Query(start)}&to={HistoryCaptures.Query(quiet)}");
        Assert.Equal(0, quietWindow.GetProperty("deallocations").GetInt64());
        var floodedWindow = await api.Client.GetOkAsync($"/api/monitoring/query-stats?from={HistoryCaptures.Query(quiet)}&to={HistoryCaptures.Query(flooded)}");
        Assert.True(floodedWindow.GetProperty("deallocations").GetInt64() > 0, floodedWindow.ToString());
        var sinceReset = await api.Client.GetOkAsync("/api/monitoring/query-stats?top=5");
        Assert.True(sinceReset.GetProperty("deallocations").GetInt64() > 0, sinceReset.ToString());

        // The probe's series: its interval counts 5 calls and says no statement was evicted then.
        var queryId = (long)(await ScalarAsync("SELECT queryid FROM monitoring_history.query_texts WHERE query LIKE '%dealloc_probe%'"))!;
        var series = await api.Client.GetOkAsync($"/api/monitoring/query-stats/{queryId}/history?from={HistoryCaptures.Query(start)}&to={HistoryCaptures.Query(flooded)}");
        var point = Assert.Single(series.GetProperty("points").EnumerateArray(), p => p.GetProperty("capturedAt").GetDateTimeOffset() == quiet);
        Assert.Equal(5, point.GetProperty("calls").GetInt64());
        Assert.Equal(0, point.GetProperty("deallocations").GetInt64());
        Assert.Equal(JsonValueKind.Number, point.GetProperty("deallocations").ValueKind);
    }

    private static async Task<string> ExtensionSchemaPrefixAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT quote_ident(n.nspname) || '.' FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
