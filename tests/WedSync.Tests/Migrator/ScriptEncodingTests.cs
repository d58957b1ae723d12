using System.Text;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Scripts are read as psql reads them with client_encoding UTF8: bytes that are not UTF-8 are refused by
/// every verb naming file and line (nothing applied), never sent as U+FFFD; one UTF-8 BOM is dropped.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class ScriptEncodingTests(AppHostFixture fixture)
{
    private const string Name = "29990101000000_dessert.sql";

    // Issue 23: café crème brûlée saved as windows-1252 (é = 0xE9, è = 0xE8, û = 0xFB), on line 3.
    private static readonly byte[] Windows1252 =
        [.. "SELECT 1;\nCREATE TABLE enc_dessert (name text);\nINSERT INTO enc_dessert VALUES ('caf"u8, 0xE9, .. " cr"u8, 0xE8, .. "me br"u8, 0xFB, .. "l"u8, 0xE9, .. "e');\n"u8];

    [Fact]
    public async Task A_windows_1252_script_is_refused_by_up_plan_and_lint_naming_file_and_line_and_nothing_is_applied()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = WriteFolder(Windows1252);
        try
        {
            foreach (var verb in new[] { "up", "plan" })
            {
                var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, verb, $"--Migrations:AdditionalScriptsPath={folder}");
                Assert.True(exitCode == 6, $"{verb}: exit {exitCode}\n{output}");
                Assert.Contains($"{Name}, line 3: invalid byte sequence for encoding \"UTF8\"", output);
                Assert.Contains("0xE9", output);
            }

            // Nothing of the run: not the script, not the embedded scripts before it, no journal.
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.enc_dessert')::text"));
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.referrals')::text"));

            var lint = await MigratorProcess.RunUnprivilegedCapturingStdoutAsync("lint", folder);
            Assert.True(lint.ExitCode == 1, lint.Output);
            Assert.Contains($"{Name}, line 3: invalid byte sequence", lint.Output);
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // SSMS saves scripts as UTF-16 and Flyway fails on them (flyway/flyway#1718); psql with client_encoding
    // UTF8 refuses such a file at line 1, so the migrator does too, before anything runs.
    [Fact]
    public async Task A_utf16_script_with_its_bom_is_refused_at_line_1_and_nothing_is_applied()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = WriteFolder([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("CREATE TABLE enc_utf16 (id int);\n")]);
        try
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(exitCode == 6, output);
            Assert.Contains($"{Name}, line 1:", output);
            Assert.Contains("UTF-16", output);
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.enc_utf16')::text"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // A BOM is dropped once, as .NET always did (golang-migrate/migrate#1136 sent it and failed at "column 1").
    [Fact]
    public void One_utf8_bom_is_dropped_with_the_checksum_unchanged_and_a_second_is_refused()
    {
        var text = "CREATE TABLE t (name text DEFAULT 'crème');\n";
        byte[] plain = Encoding.UTF8.GetBytes(text);

        Assert.Equal(text, ScriptText.Decode([0xEF, 0xBB, 0xBF, .. plain], Name));
        Assert.Equal(ScriptChecksum.Of(text), ScriptChecksum.Of(ScriptText.Decode([0xEF, 0xBB, 0xBF, .. plain], Name)));

        var twice = Assert.Throws<ScriptEncodingException>(() => ScriptText.Decode([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. plain], Name));
        Assert.Equal(1, twice.Line);
        Assert.Contains("second byte order mark", twice.Message);
    }

    [Fact]
    public void Every_embedded_script_is_valid_utf8_so_their_checksums_are_as_before()
    {
        // Read strictly: an embedded script that was not UTF-8 would throw here.
        Assert.NotEmpty(ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder).Scripts);
    }

    private static string WriteFolder(byte[] contents)
    {
        var folder = TestScripts.Folder(Name, "");
        File.WriteAllBytes(Path.Combine(folder, Name), contents);
        return folder;
    }
}
