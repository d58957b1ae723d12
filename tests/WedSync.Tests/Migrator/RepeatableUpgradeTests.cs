using System.Text.RegularExpressions;
using WedSync.Migrations.Catalog;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator.Drift;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Moving restated objects into repeatable scripts changes no definition: a database migrated by main's
/// catalog (versioned scripts and the one repeatable it had) and then by this one, and a database migrated
/// from empty, end with the same schema object for object, and verify finds no drift on either; what differs
/// from the versioned scripts alone is only objects a repeatable script defines (where they change since).
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
        var mainSchema = await DriftCalls.LiveFingerprintAsync(upgraded.ConnectionString);
        var upgrade = await TestScripts.Engine(upgraded.ConnectionString, catalog).UpAsync(CancellationToken.None);
        var fromEmpty = await TestScripts.Engine(fresh.ConnectionString, catalog).UpAsync(CancellationToken.None);

        Assert.True(upgrade.Succeeded, upgrade.Error);
        Assert.True(fromEmpty.Succeeded, fromEmpty.Error);
        Assert.Equal(catalog.Scripts.Where(s => s.Kind == ScriptKind.Repeatable && s.Name != MainsRepeatable).Select(s => s.Name), upgrade.Applied);
        var upgradedSchema = await DriftCalls.LiveFingerprintAsync(upgraded.ConnectionString);
        Assert.Equal(upgradedSchema, await DriftCalls.LiveFingerprintAsync(fresh.ConnectionString));
        // Since the move, a repeatable script is where its objects change (R__referral_reward_holds.sql restates three
        // functions and adds one): only such objects may differ from what the versioned scripts alone define.
        var owned = catalog.Scripts.Where(s => s.Kind == ScriptKind.Repeatable)
            .SelectMany(s => RepeatableOwnership.ObjectsDefined(s.Contents)).Select(o => o.Contains('.') ? o : "public." + o).ToList();
        var changed = mainSchema.Except(upgradedSchema).Concat(upgradedSchema.Except(mainSchema)).ToList();
        Assert.All(changed, entry => Assert.True(owned.Any(o => Regex.IsMatch(entry, $@"(?<![a-z0-9_.]){Regex.Escape(o)}(?![a-z0-9_])")),
            $"{entry} differs after the upgrade, yet no repeatable script defines it"));
        foreach (var database in new[] { upgraded, fresh })
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, ["verify"]);
            Assert.True(exitCode == 0, output);
        }
    }
}
