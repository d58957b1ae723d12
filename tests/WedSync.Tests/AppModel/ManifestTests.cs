using System.Diagnostics;
using System.Text.Json;

namespace WedSync.Tests.AppModel;

/// <summary>What azd deploys: the manifest the AppHost publishes, produced by the real command.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task Published_manifest_holds_a_postgres_container_the_migrator_and_the_api()
    {
        var output = Path.Combine(Path.GetTempPath(), $"wedsync-manifest-{Guid.NewGuid():N}");
        try
        {
            var manifestPath = Path.Combine(output, "aspire-manifest.json");
            // Local mode is asked for on purpose: publishing must still choose the container.
            await RunAppHostAsync("--publisher", "manifest", "--output-path", manifestPath, "--Postgres:Mode=local");

            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
            var resources = manifest.RootElement.GetProperty("resources");
            var postgres = resources.GetProperty("postgres");
            Assert.Equal("container.v0", postgres.GetProperty("type").GetString());
            Assert.StartsWith("docker.io/library/postgres:", postgres.GetProperty("image").GetString());
            Assert.Equal("project.v0", resources.GetProperty("migrations").GetProperty("type").GetString());
            Assert.Equal("project.v0", resources.GetProperty("api").GetProperty("type").GetString());
            Assert.Equal("{wedsync.connectionString}",
                resources.GetProperty("api").GetProperty("env").GetProperty("ConnectionStrings__wedsync").GetString());
            Assert.DoesNotContain("executable", manifest.RootElement.GetRawText());
            // Behind Azure Container Apps' ingress the API trusts its private ranges for X-Forwarded-For (issue 16).
            var apiEnv = resources.GetProperty("api").GetProperty("env");
            Assert.Equal("10.0.0.0/8", apiEnv.GetProperty("Api__ForwardedHeaders__KnownNetworks__0").GetString());
            Assert.Equal("100.64.0.0/10", apiEnv.GetProperty("Api__ForwardedHeaders__KnownNetworks__3").GetString());
        }
        finally
        {
            Infrastructure.AppHostFixture.TryDelete(output);
        }
    }

    private static async Task RunAppHostAsync(params string[] args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["run", "--project", Projects.AppHost.ProjectPath, "--no-build", "--", .. args])
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"AppHost publish failed: {await stdout}{await stderr}");
    }
}
