using WedSync.Migrations.Catalog;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator.Drift;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Moving restated objects into repeatable scripts changes no definition: a database migrated by main's
/// catalog (versioned scripts and the one repeatable it had) and then by this one, and a database migrated
/// from empty, end with the same schema object for object, and verify finds no drift on either.
/// (When the move landed, the upgraded schema also equalled main's; repeatables added since change it on purpose.)
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RepeatableUpgradeTests(AppHostFixture fixture)
{
    private const string MainsRepeatable = "R__get_db_monitoring_summary.sql";

    [Fact]
    public async Task A_database_upgraded_from_main_and_a_fresh_one_end_with_identical_definitions_and_verify_clean()
    {
        var catalog = ScriptCatalog.ForSchema(null);
        var mains = new ScriptCatalog(catalog.Scripts.Where(s => s.Kind == ScriptKind.Versioned || s.Name == MainsRepeatable).ToList());
        await using var upgraded = await MigratorDatabase.CreateAsync(fixture);
        await using var fresh = await MigratorDatabase.CreateAsync(fixture);

        var fromMain = await TestScripts.Engine(upgraded.ConnectionString, mains).UpAsync(CancellationToken.None);
        Assert.True(fromMain.Succeeded, fromMain.Error);
        var upgrade = await TestScripts.Engine(upgraded.ConnectionString, catalog).UpAsync(CancellationToken.None);
        var fromEmpty = await TestScripts.Engine(fresh.ConnectionString, catalog).UpAsync(CancellationToken.None);

        Assert.True(upgrade.Succeeded, upgrade.Error);
        Assert.True(fromEmpty.Succeeded, fromEmpty.Error);
        Assert.Equal(catalog.Scripts.Where(s => s.Kind == ScriptKind.Repeatable && s.Name != MainsRepeatable).Select(s => s.Name), upgrade.Applied);
        // Both roads end in the same schema (the move itself changed no definition when it landed; repeatables
        // added since may define and restate objects, on both roads alike).
        Assert.Equal(await DriftCalls.LiveFingerprintAsync(upgraded.ConnectionString), await DriftCalls.LiveFingerprintAsync(fresh.ConnectionString));
        foreach (var database in new[] { upgraded, fresh })
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, ["verify"]);
            Assert.True(exitCode == 0, output);
        }
    }
}
