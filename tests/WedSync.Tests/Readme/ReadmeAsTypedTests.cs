using System.Diagnostics;
using System.Text.Json;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Readme;

/// <summary>
/// Issue 28, the README works as typed: every block fenced as <c>```bash tested</c> runs, as written, in bash
/// (<c>set -euo pipefail</c>, so <c>… | jq .</c> fails on output that is not JSON) from the repository root,
/// with the variables the README has the reader set before it (<c>API</c>, <c>PG</c>, <c>DB</c>) pointing at
/// the tests' application. The SARIF file a block writes is read back as SARIF 2.1.0.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReadmeAsTypedTests(AppHostFixture fixture)
{
    private const string Fence = "```bash tested";

    /// <summary>The repository root: the folder above the tests' output holding the solution.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WedSync.Aspire.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No WedSync.Aspire.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The tested blocks of README.md, in order, each as its lines.</summary>
    public static IReadOnlyList<string> Blocks()
    {
        var blocks = new List<string>();
        List<string>? open = null;
        foreach (var line in File.ReadLines(Path.Combine(Root, "README.md")))
        {
            if (open is null && line.Trim() == Fence)
            {
                open = [];
            }
            else if (open is not null && line.Trim() == "```")
            {
                blocks.Add(string.Join('\n', open));
                open = null;
            }
            else
            {
                open?.Add(line);
            }
        }

        Assert.Null(open);
        return blocks;
    }

    [Fact]
    public void Readme_marks_its_machine_readable_commands()
    {
        var text = string.Join('\n', Blocks());
        Assert.Contains("status --json | jq .", text, StringComparison.Ordinal);
        Assert.Contains("lint --sarif > lint.sarif", text, StringComparison.Ordinal);
        Assert.Contains("token owner@evergreen.test", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readme_tested_blocks_run_as_typed()
    {
        var sarif = Path.Combine(Root, "lint.sarif");
        File.Delete(sarif);
        try
        {
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString);
            var environment = new Dictionary<string, string>
            {
                ["API"] = fixture.Api.BaseAddress!.ToString().TrimEnd('/'),
                ["DB"] = fixture.DatabaseConnectionString,
                ["PG"] = $"postgresql://{Uri.EscapeDataString(connection.Username!)}:{Uri.EscapeDataString(connection.Password ?? "")}@{connection.Host}:{connection.Port}/{connection.Database}",
                // The README's "run the AppHost once so the key exists": here the tests' key, as the API of the fixture has it.
                ["Auth__SigningKey"] = AppHostFixture.JwtSigningKey,
            };
            foreach (var (block, index) in Blocks().Select((block, index) => (block, index)))
            {
                var (exitCode, output, elapsed) = await BashAsync(block, environment);
                Assert.True(exitCode == 0, $"README tested block {index + 1} exited with {exitCode} after {elapsed.TotalSeconds:0.0} s:\n{block}\n---\n{output}");
            }

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(sarif));
            Assert.Equal("2.1.0", document.RootElement.GetProperty("version").GetString());
            Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("runs").ValueKind);
        }
        finally
        {
            File.Delete(sarif);
        }
    }

    private static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> BashAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var argument in (string[])["-euo", "pipefail", "-c", script])
        {
            startInfo.ArgumentList.Add(argument);
        }

        // As a reader's shell: no OTLP endpoint of the test host, no environment of the test run.
        startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        startInfo.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        startInfo.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors, clock.Elapsed);
    }
}
