using System.Text.Json;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator.Lint;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Every verb reads one configuration (MigratorConfiguration): appsettings.json of the working directory
/// included. Before, <c>plan</c> and <c>lint --fix</c> read only the environment and the command line: with
/// the connection string in appsettings.json, plan refused to run and <c>lint --fix</c>, finding no journal,
/// rewrote a script that was already applied.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class ConfigurationSourcesTests(AppHostFixture fixture)
{
    private const string Applied = """
        CREATE FUNCTION uuid_generate_v4() RETURNS uuid LANGUAGE sql AS 'SELECT gen_random_uuid()';
        CREATE TABLE settings_notes (id uuid PRIMARY KEY DEFAULT uuid_generate_v4());
        """;

    [Fact]
    public async Task Every_verb_reads_the_connection_string_from_appsettings_json_and_lint_fix_leaves_applied_scripts_alone()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var scripts = TestScripts.Folder("29990201000000_settings.sql", Applied);
        var working = Directory.CreateTempSubdirectory("migrator-settings-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(working, "appsettings.json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["ConnectionStrings"] = new Dictionary<string, string> { ["wedsync"] = database.ConnectionString },
                ["Migrations"] = new Dictionary<string, string> { ["AdditionalScriptsPath"] = scripts },
            }));
            // Nothing in the environment: the settings are the working directory's appsettings.json alone.
            var environment = new Dictionary<string, string?> { ["ConnectionStrings__wedsync"] = null };

            var up = await MigratorProcess.RunAsync("", ["up", "--allow", "gen-random-uuid", "--allow", "row-level-security"], working, environment);
            Assert.True(up.ExitCode == 0, up.Output);
            foreach (var verb in new[] { "status", "verify", "plan" })
            {
                var run = await MigratorProcess.RunAsync("", [verb], working, environment);
                Assert.True(run.ExitCode == 0, $"{verb}: exit {run.ExitCode}\n{run.Output}");
            }

            var applied = Path.Combine(scripts, "29990201000000_settings.sql");
            var fix = await MigratorProcess.RunAsync("", ["lint", applied, "--fix"], working, environment);

            Assert.Equal(Applied, await File.ReadAllTextAsync(applied));
            Assert.Contains("29990201000000_settings.sql is applied", fix.Output);
        }
        finally
        {
            AppHostFixture.TryDelete(scripts);
            AppHostFixture.TryDelete(working);
        }
    }
}
