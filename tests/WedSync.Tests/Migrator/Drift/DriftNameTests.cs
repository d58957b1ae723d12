using WedSync.Migrations.Drift;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Drift;

/// <summary>
/// Issue 23, kind 8: the drift store tells apart names PostgreSQL tells apart. Each part of a name is quoted as
/// PostgreSQL quotes it, so <c>"a.b"(c)</c> and <c>a("b.c")</c> are two columns; up, verify and every later run
/// work (no duplicate key, no exit 8), and a store written by an earlier migrator (names unquoted) is no drift.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class DriftNameTests(AppHostFixture fixture)
{
    private static readonly string[] Allow = ["--allow", "primary-key", "--allow", "row-level-security"];

    // The example.
    [Fact]
    public async Task Columns_whose_unquoted_names_collide_are_two_objects_and_every_verb_keeps_working()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(("29990101000000_dotted.sql", "CREATE TABLE \"a.b\" (c int);\nCREATE TABLE a (\"b.c\" int);\n"));
        try
        {
            var path = $"--Migrations:AdditionalScriptsPath={folder}";
            await DriftCalls.UpAsync(database.ConnectionString, [path, .. Allow]);
            var clean = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify", path);
            Assert.True(clean.ExitCode == 0, clean.Output);
            await DriftCalls.UpAsync(database.ConnectionString, path);

            await DriftCalls.ExecuteAsync(database.ConnectionString, "ALTER TABLE \"a.b\" ALTER COLUMN c TYPE bigint");
            var drift = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify", path);

            Assert.True(drift.ExitCode == 4, drift.Output);
            Assert.Contains("changed column public.\"a.b\".c", drift.StandardOutput);
            Assert.DoesNotContain("public.a.\"b.c\"", drift.StandardOutput);

            // A store an earlier migrator wrote (names unquoted, no collision in it) reads as no drift.
            await DriftCalls.UpAsync(database.ConnectionString, path);
            await DriftCalls.ExecuteAsync(database.ConnectionString,
                "DELETE FROM wedsync_migrations.schema_objects WHERE name LIKE '%\"b.c\"%'",
                "UPDATE wedsync_migrations.schema_objects SET name = replace(name, '\"', '') WHERE name LIKE '%\"%'",
                "ALTER TABLE a DROP COLUMN \"b.c\"");
            var upgraded = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify", path);
            Assert.True(upgraded.ExitCode == 0, upgraded.Output);
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Added instance (shinichi-takii/ddlparse#71, a schema with a dot in its name): schema "foo.bar" with table
    // bazz and schema foo with table "bar.bazz", made by hand, are two added tables, and the next up records both.
    [Fact]
    public async Task Tables_whose_unquoted_qualified_names_collide_are_two_objects()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await DriftCalls.ExecuteAsync(database.ConnectionString,
            "CREATE SCHEMA \"foo.bar\"", "CREATE TABLE \"foo.bar\".bazz (id int)", "CREATE SCHEMA foo", "CREATE TABLE foo.\"bar.bazz\" (id int)");

        var drift = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(drift.ExitCode == 4, drift.Output);
        Assert.Contains("added table \"foo.bar\".bazz", drift.StandardOutput);
        Assert.Contains("added table foo.\"bar.bazz\"", drift.StandardOutput);

        await DriftCalls.UpAsync(database.ConnectionString);
        var recorded = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(recorded.ExitCode == 0, recorded.Output);
    }

    [Theory]
    [InlineData("public.\"a.b\".c", "public.a.b.c")]
    [InlineData("public.a.\"b.c\"", "public.a.b.c")]
    [InlineData("\"Mixed \"\"q\"\"\".x", "Mixed \"q\".x")]
    [InlineData("table public.referrals to wedsync_user", "table public.referrals to wedsync_user")]
    public void Unquoted_is_the_name_an_earlier_migrator_recorded(string quoted, string unquoted)
    {
        Assert.Equal(unquoted, SchemaDriftComparer.Unquoted(quoted));
    }
}
