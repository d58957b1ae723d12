using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.AppModel;

/// <summary>
/// Issue 28: every way the database and the catalog disagree turns <c>migrations-schema</c> (the verdict under
/// <c>migrations</c>) Unhealthy with the reason, and repairing it turns it Healthy again; pending scripts are
/// shown, not unhealthy. Each case is made by hand in the shared database and undone (the collection runs alone).
/// </summary>
[Collection(AppHostAloneCollection.Name)]
public sealed class SchemaHealthResourceTests(AppHostFixture fixture)
{
    private const string Schema = "migrations-schema";
    private const string Journal = "wedsync_migrations.journal";

    private ResourceCommandService Commands => fixture.App.Services.GetRequiredService<ResourceCommandService>();

    [Fact]
    public async Task Schema_verdict_is_a_healthy_child_of_migrations()
    {
        var healthy = await VerdictAsync(HealthStatus.Healthy, "the database is the catalog");

        Assert.Contains(healthy.Snapshot.Relationships, r => r.Type == "Parent" && r.ResourceName.StartsWith("migrations", StringComparison.Ordinal));
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(Schema).WaitAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Drift_in_each_fingerprinted_kind_is_unhealthy_with_the_objects_named()
    {
        var table = await ScalarAsync("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename LIMIT 1");
        var column = await ScalarAsync($"SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = 'public.{table}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT 1");
        try
        {
            await ExecuteAsync($"""
                CREATE TABLE public.schema_health_probe (id int);
                CREATE INDEX schema_health_probe_idx ON public.{table} ({column});
                CREATE FUNCTION public.schema_health_probe() RETURNS int LANGUAGE sql AS 'SELECT 1';
                CREATE VIEW public.schema_health_probe_view AS SELECT 1 AS one;
                GRANT SELECT ON public.{table} TO PUBLIC;
                """);

            var drifted = await VerdictAsync(HealthStatus.Unhealthy, "schema drift");

            var reason = Reason(drifted);
            Assert.Contains("table public.schema_health_probe added", reason, StringComparison.Ordinal);
            Assert.Contains("index public.schema_health_probe_idx added", reason, StringComparison.Ordinal);
            Assert.Contains("function public.schema_health_probe() added", reason, StringComparison.Ordinal);
            Assert.Contains("view public.schema_health_probe_view added", reason, StringComparison.Ordinal);
            Assert.Contains($"grant table public.{table} to PUBLIC added", reason, StringComparison.Ordinal);
            Assert.Equal(HealthStatus.Unhealthy, drifted.Snapshot.HealthStatus);
        }
        finally
        {
            await ExecuteAsync($"""
                DROP VIEW IF EXISTS public.schema_health_probe_view;
                DROP FUNCTION IF EXISTS public.schema_health_probe();
                DROP INDEX IF EXISTS public.schema_health_probe_idx;
                DROP TABLE IF EXISTS public.schema_health_probe;
                REVOKE SELECT ON public.{table} FROM PUBLIC;
                """);
        }

        await VerdictAsync(HealthStatus.Healthy, "the database is the catalog");
    }

    [Fact]
    public async Task Modified_renamed_and_unknown_scripts_are_unhealthy_and_pending_is_shown_healthy()
    {
        // A versioned script (a repeatable one, R__, that changes is due again: pending, not modified).
        var script = await ScalarAsync($"SELECT script_name FROM {Journal} WHERE script_name NOT LIKE 'R\\_\\_%' ORDER BY script_name DESC LIMIT 1");
        var checksum = await ScalarAsync($"SELECT checksum FROM {Journal} WHERE script_name = '{script}'");

        // An applied script changed since it ran: its journaled checksum no longer matches its text.
        await ExecuteAsync($"UPDATE {Journal} SET checksum = 'edited-after-applying' WHERE script_name = '{script}'");
        try
        {
            await VerdictAsync(HealthStatus.Unhealthy, $"applied script modified: {script}");
        }
        finally
        {
            await ExecuteAsync($"UPDATE {Journal} SET checksum = '{checksum}' WHERE script_name = '{script}'");
        }

        // Renamed: the journal knows the text under another name, and the catalog's name looks pending.
        await ExecuteAsync($"UPDATE {Journal} SET script_name = 'old_{script}' WHERE script_name = '{script}'");
        try
        {
            await VerdictAsync(HealthStatus.Unhealthy, $"applied script renamed: old_{script} → {script}");
        }
        finally
        {
            await ExecuteAsync($"UPDATE {Journal} SET script_name = '{script}' WHERE script_name = 'old_{script}'");
        }

        // Applied by another build, gone from this catalog.
        await ExecuteAsync($"INSERT INTO {Journal} (script_name, checksum, applied_by, migrator_version) VALUES ('9999_gone.sql', 'x', 'a test', 'a test')");
        try
        {
            await VerdictAsync(HealthStatus.Unhealthy, "applied script not in the catalog: 9999_gone.sql");
        }
        finally
        {
            await ExecuteAsync($"DELETE FROM {Journal} WHERE script_name = '9999_gone.sql'");
        }

        // Pending: shown, and still healthy (the journal row is kept aside in the journal's schema and put back).
        await ExecuteAsync($"""
            CREATE TABLE wedsync_migrations.schema_health_kept AS SELECT * FROM {Journal} WHERE script_name = '{script}';
            DELETE FROM {Journal} WHERE script_name = '{script}';
            """);
        try
        {
            var pending = await VerdictAsync(HealthStatus.Healthy, $"1 pending script(s): {script}");
            Assert.Contains(pending.Snapshot.Properties, p => p.Name == "schema.pending" && Convert.ToInt32(p.Value, System.Globalization.CultureInfo.InvariantCulture) == 1);
        }
        finally
        {
            await ExecuteAsync($"""
                INSERT INTO {Journal} SELECT * FROM wedsync_migrations.schema_health_kept;
                DROP TABLE wedsync_migrations.schema_health_kept;
                """);
        }

        await VerdictAsync(HealthStatus.Healthy, "the database is the catalog");
    }

    // The verify command asks the verdict to look again; then its health report must say so.
    private async Task<ResourceEvent> VerdictAsync(HealthStatus status, string reason)
    {
        await Commands.ExecuteCommandAsync("migrations", "verify");
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            return await fixture.App.ResourceNotifications.WaitForResourceAsync(Schema, e =>
                e.Snapshot.HealthStatus == status && Reason(e).Contains(reason, StringComparison.Ordinal), patience.Token);
        }
        catch (OperationCanceledException)
        {
            fixture.App.ResourceNotifications.TryGetCurrentState(Schema, out var current);
            throw new TimeoutException($"{Schema} never became {status} with \"{reason}\"; last: {current?.Snapshot.HealthStatus} \"{(current is null ? "" : Reason(current))}\"");
        }
    }

    private static string Reason(ResourceEvent e) => string.Join(" | ", e.Snapshot.HealthReports.Select(r => r.Description));

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
