using WedSync.Tests.Migrator;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// A copy of the template is what <c>up</c> of the embedded catalog leaves (every script journaled, no
/// drift), each copy is a database of its own, and the template's name follows the catalog's checksum.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class MigratedTemplateTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_copy_is_migrated_without_drift_and_copies_are_independent()
    {
        await using var first = await MigratorDatabase.CreateMigratedAsync(fixture);
        await using var second = await MigratorDatabase.CreateMigratedAsync(fixture);

        Assert.Equal((long)TestScripts.RealCatalog.Scripts.Count, await first.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal"));
        var verify = await MigratorProcess.RunCapturingStdoutAsync(first.ConnectionString, "verify");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("Schema drift: none", verify.StandardOutput);

        await first.ScalarAsync("CREATE TABLE template_copy_probe (id int)");
        Assert.Null(await second.ScalarAsync("SELECT to_regclass('public.template_copy_probe')::text"));
        Assert.Equal(false, await first.ScalarAsync($"SELECT datallowconn FROM pg_database WHERE datname = '{MigratedTemplate.Name}'"));
    }

    [Fact]
    public void An_edited_or_added_script_or_another_manifest_names_another_template()
    {
        var real = TestScripts.RealCatalog;
        var checksum = MigratedTemplate.ChecksumOf(real.Scripts, []);

        Assert.Equal(checksum, MigratedTemplate.ChecksumOf(TestScripts.RealCatalog.Scripts, []));
        Assert.NotEqual(checksum, MigratedTemplate.ChecksumOf(TestScripts.WithEdited(real, real.Scripts[^1].Name, "\n-- edited").Scripts, []));
        Assert.NotEqual(checksum, MigratedTemplate.ChecksumOf(TestScripts.WithExtra(real, "29990101000000_added.sql", "SELECT 1;").Scripts, []));
        Assert.NotEqual(checksum, MigratedTemplate.ChecksumOf(real.Scripts, [1]));
        Assert.Contains(MigratedTemplate.CatalogChecksum[..16], MigratedTemplate.Name);
    }
}
