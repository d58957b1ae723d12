using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;
using WedSync.Tests.Migrator.Drift;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Issue 14: GET /api/migrations shows live-schema drift, and the monitoring sampler records one
/// schema_drift event per drift (not one per tick), a new one for a different drift, and resolves it
/// once a migration made the change. An API process of its own on a fresh database, so that no other
/// test's hand-made objects are drift here.
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed class SchemaDriftEventTests(AppHostFixture fixture)
{
    // Generous: the machine may be saturated; every wait ends as soon as the state is reached.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Sampler_records_one_event_per_drift_and_the_migration_making_the_change_resolves_it()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await using var api = await ApiServer.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            ["Monitoring:SampleInterval"] = Tick.ToString(),
            ["Monitoring:SchemaDriftInterval"] = Tick.ToString(),
        });

        var clean = await MigrationsAsync(api);
        Assert.False(clean.GetProperty("drifted").GetBoolean());
        Assert.Equal(JsonValueKind.String, clean.GetProperty("recordedAt").ValueKind);
        Assert.Empty(clean.GetProperty("objects").EnumerateArray());
        // The sampler has compared the clean schema (ticks ran after the API started) and recorded nothing.
        var started = await ScalarAsync<DateTime>(database, "SELECT now()");
        await WaitForTickAfterAsync(database, started);
        Assert.Equal(0L, await CountAsync(database));

        await DriftCalls.ExecuteAsync(database.ConnectionString, "ALTER TABLE referrals ADD COLUMN x int");

        var first = await OpenEventAsync(database, except: null);
        Assert.Contains("public.referrals.x", first.Data);
        var drift = await MigrationsAsync(api);
        Assert.True(drift.GetProperty("drifted").GetBoolean());
        var column = Assert.Single(drift.GetProperty("objects").EnumerateArray());
        Assert.Equal(("column", "public.referrals.x", "added"),
            (column.GetProperty("kind").GetString(), column.GetProperty("name").GetString(), column.GetProperty("change").GetString()));
        // Later ticks see the same drift and record nothing more.
        await WaitForTickAfterAsync(database, first.CreatedAt + 5 * Tick);
        Assert.Equal(1L, await CountAsync(database));

        // A different drift is a new event; the first one is resolved.
        await DriftCalls.ExecuteAsync(database.ConnectionString, "CREATE INDEX ix_referrals_x ON referrals (x)");
        var second = await OpenEventAsync(database, except: first.Id);
        Assert.Contains("public.ix_referrals_x", second.Data);
        Assert.Equal("condition cleared", await ScalarAsync<string>(database, $"SELECT resolution_notes FROM monitoring_events WHERE id = '{first.Id}'"));
        await WaitForTickAfterAsync(database, second.CreatedAt + 5 * Tick);
        Assert.Equal(2L, await CountAsync(database));

        // The migration making the same change records the fingerprint: the drift is gone.
        var folder = TestScripts.Folder(DriftCalls.ReferralsXMigration);
        try
        {
            await DriftCalls.UpAsync(database.ConnectionString, $"--Migrations:AdditionalScriptsPath={folder}");
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }

        var open = await MonitoringCalls.PollAsync(
            () => ScalarAsync<long>(database, "SELECT count(*) FROM monitoring_events WHERE event_type = 'schema_drift' AND resolved_at IS NULL"),
            count => count == 0, Patience);
        Assert.Equal(0L, open);
        Assert.Equal(2L, await CountAsync(database));
        Assert.False((await MigrationsAsync(api)).GetProperty("drifted").GetBoolean());
    }

    private static async Task<JsonElement> MigrationsAsync(ApiServer api) =>
        (await api.Client.GetOkAsync("/api/migrations")).GetProperty("schemaDrift");

    private static Task<long> CountAsync(MigratorDatabase database) =>
        ScalarAsync<long>(database, "SELECT count(*) FROM monitoring_events WHERE event_type = 'schema_drift'");

    private sealed record DriftEvent(Guid Id, DateTime CreatedAt, string Data);

    private static async Task<DriftEvent> OpenEventAsync(MigratorDatabase database, Guid? except)
    {
        var found = await MonitoringCalls.PollAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT id, created_at, event_data::text FROM monitoring_events
                WHERE event_type = 'schema_drift' AND resolved_at IS NULL AND id IS DISTINCT FROM @except
                """, connection);
            command.Parameters.Add(new NpgsqlParameter("except", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)except ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? new DriftEvent(reader.GetGuid(0), reader.GetDateTime(1), reader.GetString(2)) : null;
        }, e => e is not null, Patience);
        Assert.True(found is not null, "the sampler recorded no schema_drift event");
        return found;
    }

    // A sampler tick that started after the moment (the lease is renewed at the start of each tick; ticks
    // run one after another, so every tick before it has finished).
    private static async Task WaitForTickAfterAsync(MigratorDatabase database, DateTime moment)
    {
        var renewed = await MonitoringCalls.PollAsync(
            () => ScalarAsync<DateTime?>(database, "SELECT max(renewed_at) FROM monitoring_sampler_lease WHERE name = 'sampler'"),
            at => at > moment, Patience);
        Assert.True(renewed > moment, $"no sampler tick after {moment:O} (last {renewed:O})");
        await WaitForNextTickAsync(database, renewed!.Value);
    }

    private static async Task WaitForNextTickAsync(MigratorDatabase database, DateTime after)
    {
        var renewed = await MonitoringCalls.PollAsync(
            () => ScalarAsync<DateTime?>(database, "SELECT max(renewed_at) FROM monitoring_sampler_lease WHERE name = 'sampler'"),
            at => at > after, Patience);
        Assert.True(renewed > after, $"no sampler tick after {after:O}");
    }

    private static async Task<T> ScalarAsync<T>(MigratorDatabase database, string sql)
    {
        var value = await database.ScalarAsync(sql);
        return (T)value!;
    }
}
