using Npgsql;
using WedSync.Migrations.Lint;
using WedSync.Migrations.Lint.Rules;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Lint;

/// <summary>
/// The lint against the real server: the rewrite rules fire exactly on the statements PostgreSQL
/// answers with a table rewrite (a new relfilenode), and --fix leaves a script the journal lists.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class LintDatabaseTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a uuid DEFAULT gen_random_uuid()", true)]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a timestamptz DEFAULT clock_timestamp()", true)]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a bigserial", true)]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a int GENERATED ALWAYS AS IDENTITY", true)]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a int GENERATED ALWAYS AS (id * 2) STORED", true)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN ip TYPE inet USING ip::inet", true)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN id TYPE bigint", true)]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a timestamptz DEFAULT now()", false)]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a int NOT NULL DEFAULT 0", false)]
    [InlineData("ALTER TABLE lock_probe ADD COLUMN a text", false)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN note TYPE text", false)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN note SET DATA TYPE varchar", false)]
    // Issue 23: a widened varchar is binary-coercible (same relfilenode); a narrowed one rewrites.
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN note TYPE varchar(100)", false)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN note TYPE varchar(10)", true)]
    // More digits at the same scale fit every value unchanged; another scale rewrites.
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN amount TYPE numeric(12,2)", false)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN amount TYPE numeric(12,3)", true)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN amount TYPE numeric", false)]
    [InlineData("ALTER TABLE lock_probe ALTER COLUMN flags TYPE varbit(16)", false)]
    public async Task Rewrite_rules_fire_exactly_when_PostgreSQL_rewrites_the_table(string statement, bool rewrites)
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await database.ScalarAsync("""
            CREATE TABLE lock_probe (id int PRIMARY KEY, note varchar(20), ip text, amount numeric(8,2), flags varbit(8));
            INSERT INTO lock_probe SELECT g, 'n' || g, '10.0.0.' || (g % 250), g / 7.0, B'1010' FROM generate_series(1, 1000) g;
            """);
        var before = await database.ScalarAsync("SELECT pg_relation_filenode('lock_probe')");

        await database.ScalarAsync(statement);

        var rewritten = !Equals(before, await database.ScalarAsync("SELECT pg_relation_filenode('lock_probe')"));
        // The old column types come from the catalog's earlier script, as in a real lint.
        var created = SqlScriptFile.Parse("0001_lock_probe.sql", "CREATE TABLE lock_probe (id int PRIMARY KEY, note varchar(20), ip text, amount numeric(8,2), flags varbit(8));");
        var script = SqlScriptFile.Parse("0002_probe.sql", statement + ";");
        var flagged = new ILintRule[] { new VolatileDefaultRule(), new TypeChangeRewriteRule() }.SelectMany(rule => rule.Check(script, [created, script])).Any();
        Assert.Equal(rewrites, rewritten);
        Assert.Equal(rewritten, flagged);
    }

    [Fact]
    public async Task Fix_leaves_a_script_the_journal_lists_and_fixes_a_pending_one()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        // Applied: it defines the uuid_generate_v4() it calls, so it runs, and --fix would rewrite it.
        const string Applied = """
            CREATE FUNCTION uuid_generate_v4() RETURNS uuid LANGUAGE sql AS 'SELECT gen_random_uuid()';
            CREATE TABLE hotfix_notes (id uuid PRIMARY KEY DEFAULT uuid_generate_v4());
            """;

        // Pending: PostgreSQL refuses the uncast enum array (42804) until --fix adds the cast.
        const string Pending = """
            CREATE TYPE hotfix_channel AS ENUM ('email', 'sms');
            CREATE TABLE hotfix_channels (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), channels hotfix_channel[] DEFAULT ARRAY['email', 'sms']);
            """;
        var folder = TestScripts.Folder("29990101000000_hotfix.sql", Applied);
        try
        {
            // The scripts break house rules on purpose (the lint's own subject here): up applies them only with --allow.
            var up = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}",
                "--allow", "gen-random-uuid", "--allow", "row-level-security");
            Assert.True(up.ExitCode == 0, up.Output);
            var applied = Path.Combine(folder, "29990101000000_hotfix.sql");
            var pending = Path.Combine(folder, "29990101000001_hotfix.sql");
            await File.WriteAllTextAsync(pending, Pending);

            var fix = await MigratorProcess.RunAsync(database.ConnectionString, "lint", applied, pending, "--fix");

            Assert.Equal(Applied, await File.ReadAllTextAsync(applied));
            Assert.Contains("29990101000000_hotfix.sql is applied", fix.Output);
            Assert.Contains("DEFAULT ARRAY['email', 'sms']::hotfix_channel[]", await File.ReadAllTextAsync(pending));
            var upFixed = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}", "--allow", "row-level-security");
            Assert.True(upFixed.ExitCode == 0, upFixed.Output);
            Assert.Equal("{email,sms}", await database.ScalarAsync("INSERT INTO hotfix_channels DEFAULT VALUES RETURNING channels::text"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    [Fact]
    public async Task Fix_changes_nothing_when_the_configured_database_cannot_be_read()
    {
        using var folder = new LintFolder();
        var before = await File.ReadAllTextAsync(folder.HouseFile);
        var unreachable = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;

        var fix = await MigratorProcess.RunAsync(unreachable, "lint", folder.HouseFile, "--fix");

        Assert.Equal(7, fix.ExitCode);
        Assert.Contains("no file was changed", fix.Output);
        Assert.Equal(before, await File.ReadAllTextAsync(folder.HouseFile));
    }
}
