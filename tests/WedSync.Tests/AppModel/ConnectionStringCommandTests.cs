using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.AppModel;

/// <summary>
/// Issue 28: the AppHost's PostgreSQL reached with psql (its port changes every start, its password is in user
/// secrets): the database resource's <c>connection-string</c> command answers a URI that the real psql opens.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConnectionStringCommandTests(AppHostFixture fixture)
{
    private ResourceCommandService Commands => fixture.App.Services.GetRequiredService<ResourceCommandService>();

    [Fact]
    public async Task Connection_string_command_answers_a_uri_psql_opens()
    {
        var result = await Commands.ExecuteCommandAsync("wedsync", "connection-string");

        Assert.True(result.Success, result.Message);
        var uri = result.Data?.Value ?? "";
        Assert.StartsWith("postgresql://", uri, StringComparison.Ordinal);
        var (exitCode, output) = await PsqlAsync(uri, "SELECT current_database() || ' ' || current_user");
        Assert.True(exitCode == 0, output);
        Assert.Equal("wedsync", output.Trim().Split(' ')[0]);
    }

    [Fact]
    public async Task Dotnet_connection_string_command_answers_the_applications_connection_string()
    {
        var result = await Commands.ExecuteCommandAsync("wedsync", "dotnet-connection-string");

        Assert.True(result.Success, result.Message);
        Assert.Equal(fixture.DatabaseConnectionString, result.Data?.Value);
    }

    private static async Task<(int ExitCode, string Output)> PsqlAsync(string uri, string sql)
    {
        var startInfo = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[uri, "-X", "-A", "-t", "-c", sql])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
