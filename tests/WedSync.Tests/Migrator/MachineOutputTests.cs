using System.Text.Json;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>Issue 13, kind 9: stdout carries the command's output only; logs go to stderr, for every verb.</summary>
[Collection(AppHostCollection.Name)]
public sealed class MachineOutputTests(AppHostFixture fixture)
{
    // The example: host log lines before the JSON broke `status --json | jq`.
    [Theory]
    [InlineData("status")]
    [InlineData("verify")]
    public async Task Json_output_is_the_whole_of_stdout(string verb)
    {
        var (exitCode, stdout, output) = await MigratorProcess.RunCapturingStdoutAsync(fixture.DatabaseConnectionString, verb, "--json");

        // Other tests of the shared fixture create objects by hand: verify may rightly report schema drift (4) there.
        Assert.True(exitCode == 0 || (verb == "verify" && exitCode == 4), output);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("requests").ValueKind);
    }

    // Verbs without output print nothing on stdout, however much they log, and so do failures.
    [Theory]
    [InlineData("up")]
    [InlineData("repair")]
    public async Task Verbs_without_output_leave_stdout_empty(string verb)
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var broken = TestScripts.Folder("29990101000000_broken.sql", "SELECT no_such_column FROM nowhere;\n");
        try
        {
            var first = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, verb);
            var failing = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={broken}");

            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Equal("", first.StandardOutput);
            Assert.Contains("info:", first.Output);
            Assert.Equal(1, failing.ExitCode);
            Assert.Equal("", failing.StandardOutput);
            Assert.Contains("42P01", failing.Output);
        }
        finally
        {
            AppHostFixture.TryDelete(broken);
        }
    }
}
