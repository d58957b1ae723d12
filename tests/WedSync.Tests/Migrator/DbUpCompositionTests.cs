using DbUp;
using DbUp.Engine;
using DbUp.Engine.Transactions;
using DbUp.Support;
using Microsoft.Extensions.Logging.Abstractions;
using WedSync.Migrations;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Engine;
using WedSync.Migrations.Status;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// The migrator is a DbUp upgrade: a DbUp user adds a script provider or a run-always script to it the DbUp
/// way, and what they add is run by the project's executor, journaled with its checksum and shown by status.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class DbUpCompositionTests(AppHostFixture fixture)
{
    private const string TableScript = "29990101000000_user_provider_table.sql";
    private const string RunAlwaysScript = "29990101000001_count_every_up.sql";

    [Fact]
    public async Task A_script_provider_added_the_dbup_way_is_applied_once_journaled_and_shown_by_status()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var engine = Engine(database.ConnectionString, builder => builder.WithScripts(new UserProvider()));

        var first = await engine.UpAsync(CancellationToken.None);
        var second = await engine.UpAsync(CancellationToken.None);
        var status = await engine.StatusAsync(CancellationToken.None);

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal([TestScripts.RealCatalog.Scripts[0].Name, TableScript], first.Applied);
        Assert.True(second.Succeeded, second.Error);
        Assert.Empty(second.Applied);
        Assert.Equal(ScriptState.Applied, status.Scripts.Single(s => s.Name == TableScript).State);
        Assert.Equal(1L, await database.ScalarAsync(
            $"SELECT count(*) FROM wedsync_migrations.journal WHERE script_name = '{TableScript}' AND checksum ~ '^[0-9a-f]{{64}}$' AND run_id IS NOT NULL"));
        // The provider's text reached PostgreSQL as written: $name$ is a dollar quote, not a DbUp variable.
        Assert.Equal("$kept$", await database.ScalarAsync("SELECT note FROM user_provider_table"));
    }

    [Fact]
    public async Task A_run_always_script_added_the_dbup_way_runs_on_every_up_with_one_journal_row()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var engine = Engine(database.ConnectionString, builder => builder
            .WithScripts(new UserProvider())
            .WithScript(RunAlwaysScript, "INSERT INTO user_provider_table (note) VALUES ('up');", new SqlScriptOptions { ScriptType = ScriptType.RunAlways }));

        var first = await engine.UpAsync(CancellationToken.None);
        var second = await engine.UpAsync(CancellationToken.None);

        Assert.True(first.Succeeded, first.Error);
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal([RunAlwaysScript], second.Applied);
        Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM user_provider_table WHERE note = 'up'"));
        Assert.Equal(1L, await database.ScalarAsync($"SELECT count(*) FROM wedsync_migrations.journal WHERE script_name = '{RunAlwaysScript}'"));
        Assert.True((await engine.StatusAsync(CancellationToken.None)).Scripts.All(s => s.State == ScriptState.Applied));
    }

    [Fact]
    public async Task A_provider_giving_a_name_the_catalog_has_is_refused_before_anything_runs()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var clash = TestScripts.RealCatalog.Scripts[0].Name;
        var engine = Engine(database.ConnectionString, builder => builder.WithScript(clash, "SELECT 1;"));

        var refused = await Record.ExceptionAsync(() => engine.UpAsync(CancellationToken.None));

        Assert.Contains(clash, Assert.IsType<MigratorConfigurationException>(refused).Message);
        Assert.Null(await database.ScalarAsync("SELECT to_regclass('wedsync_migrations.journal')::text"));
    }

    // The first real script (the platform's foundation) and whatever the DbUp user adds.
    private static MigrationEngine Engine(string connectionString, Action<DbUp.Builder.UpgradeEngineBuilder> configure) =>
        new(connectionString, new ScriptCatalog([TestScripts.RealCatalog.Scripts[0]]), RequestManifest.Embedded(),
            new MigratorOptions { LockTimeout = TimeSpan.FromSeconds(30) }, NullLoggerFactory.Instance, lintPendingScripts: false, configureUpgrade: configure);

    private sealed class UserProvider : IScriptProvider
    {
        public IEnumerable<DbUp.Engine.SqlScript> GetScripts(IConnectionManager connectionManager) =>
        [
            new(TableScript, "CREATE TABLE user_provider_table (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text NOT NULL);\nINSERT INTO user_provider_table (note) VALUES ('$kept$');"),
        ];
    }
}
