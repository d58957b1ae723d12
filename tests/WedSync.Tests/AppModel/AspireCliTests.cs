using System.Diagnostics;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Readme;

namespace WedSync.Tests.AppModel;

/// <summary>
/// Issue 28: the resource commands from a terminal, as the README types them: the repository's pinned
/// <c>aspire</c> CLI (.config/dotnet-tools.json) finds the running AppHost (the tests' own, over the auxiliary
/// backchannel every AppHost opens under ~/.aspire/cli) and runs a command of a resource; stdout is the answer.
/// </summary>
[Collection(AppHostAloneCollection.Name)]
public sealed class AspireCliTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Aspire_resource_runs_the_commands_of_the_running_apphost()
    {
        // The database's connection string tells this application's AppHost from any other one running.
        var connection = await AspireAsync("resource", "wedsync", "dotnet-connection-string");
        Assert.True(connection.ExitCode == 0, connection.Output);
        Assert.Equal(fixture.DatabaseConnectionString, connection.Stdout.Trim());

        var plan = await AspireAsync("resource", "migrations", "plan");
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Equal("No pending scripts.", plan.Stdout.Trim());
    }

    private static async Task<(int ExitCode, string Stdout, string Output)> AspireAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ReadmeAsTypedTests.Root,
        };
        foreach (var argument in (string[])["aspire", .. arguments, "--non-interactive", "--nologo", "--apphost", Path.Combine(ReadmeAsTypedTests.Root, "AppHost", "AppHost.csproj")])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        return (process.ExitCode, output, $"stdout:\n{output}\nstderr:\n{await stderr}");
    }
}
