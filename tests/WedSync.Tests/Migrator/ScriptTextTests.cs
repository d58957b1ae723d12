using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Issue 13, kind 1: every script psql accepts reaches the server as psql sends it: nothing substitutes
/// variables, and statements are cut where psql cuts them (dollar quotes, strings, comments, function bodies).
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class ScriptTextTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Dollar_quoted_and_sql_standard_function_bodies_are_applied_as_psql_applies_them()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var folder = TestScripts.Folder(
            // The example: DbUp read $fn$ as a variable ("Variable fn has no value defined").
            ("29990101000000_tagged.sql", "CREATE FUNCTION t_tagged() RETURNS int LANGUAGE sql AS $fn$ SELECT 1 $fn$;\n"),
            // DbUp#651: $BODY$, pgAdmin's default tag.
            ("29990101000001_body.sql", "CREATE FUNCTION public.fn_something(b_id integer) RETURNS integer LANGUAGE 'plpgsql' AS $BODY$\nBEGIN\n  RETURN b_id;\nEND\n$BODY$;\n"),
            // DbUp#484: nested tags, with a regex holding backslashes.
            ("29990101000002_nested.sql", "CREATE FUNCTION has_space(t text) RETURNS boolean LANGUAGE plpgsql AS $function$\nBEGIN\n    RETURN (t ~ $q$[\\t\\r\\n\\v\\\\]$q$);\nEND;\n$function$;\n"),
            // supabase/cli#6562: a SQL-standard body with a CASE and an alias ending in "end".
            ("29990101000003_atomic.sql", "CREATE FUNCTION t_atomic(a int) RETURNS int LANGUAGE sql IMMUTABLE\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a ELSE 0 END AS pending;\nEND;\nCOMMENT ON FUNCTION t_atomic(int) IS E'it\\'s; /* not */ a comment';\n"));
        try
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.True(exitCode == 0, output);
            Assert.Equal(1, await database.ScalarAsync("SELECT t_tagged()"));
            Assert.Equal(7, await database.ScalarAsync("SELECT public.fn_something(7)"));
            Assert.Equal(true, await database.ScalarAsync("SELECT has_space(E'a\\tb')"));
            Assert.Equal(5, await database.ScalarAsync("SELECT t_atomic(5)"));
            Assert.Equal("it's; /* not */ a comment", await database.ScalarAsync("SELECT obj_description('t_atomic(int)'::regprocedure)"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    /// <summary>
    /// The ground truth: the catalog's schema as pg_dump writes it, applied by the migrator as one
    /// script, dumps the same as when psql applies it. Normalized: the journal schema (excluded from
    /// every dump), pg_dump's version header and its \restrict key lines (psql-only, random per dump).
    /// </summary>
    [Fact]
    public async Task Catalog_schema_dump_applied_by_the_migrator_dumps_the_same_as_through_psql()
    {
        await using var source = await MigratorDatabase.CreateAsync(fixture);
        await using var throughPsql = await MigratorDatabase.CreateAsync(fixture);
        await using var throughMigrator = await MigratorDatabase.CreateAsync(fixture);
        var migrated = await TestScripts.Engine(source.ConnectionString).UpAsync(CancellationToken.None);
        Assert.True(migrated.Succeeded, migrated.Error);
        var dump = WithoutPsqlOnlyLines(await PgTools.RunAsync("pg_dump", source.ConnectionString, "--schema-only", "--exclude-schema=wedsync_migrations"));
        var file = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"schema-{Guid.NewGuid():N}.sql");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, dump);
        try
        {
            await PgTools.RunAsync("psql", throughPsql.ConnectionString, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", file);
            var outcome = await TestScripts.EngineFor(throughMigrator.ConnectionString, [new SqlScript("00000000000000_schema.sql", dump)])
                .UpAsync(CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Error);

            var expected = Normalized(await PgTools.RunAsync("pg_dump", throughPsql.ConnectionString, "--schema-only", "--exclude-schema=wedsync_migrations"));
            var actual = Normalized(await PgTools.RunAsync("pg_dump", throughMigrator.ConnectionString, "--schema-only", "--exclude-schema=wedsync_migrations"));

            Assert.Contains("CREATE TABLE public.referrals", expected);
            Assert.Contains("BEGIN", expected);
            Assert.Equal(expected, actual);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string WithoutPsqlOnlyLines(string dump) =>
        string.Join('\n', dump.Split('\n').Where(line => !line.StartsWith("\\restrict ", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict ", StringComparison.Ordinal)));

    private static string Normalized(string dump) =>
        string.Join('\n', WithoutPsqlOnlyLines(dump).Split('\n').Where(line => !line.StartsWith("-- Dumped from", StringComparison.Ordinal) && !line.StartsWith("-- Dumped by", StringComparison.Ordinal)));
}
