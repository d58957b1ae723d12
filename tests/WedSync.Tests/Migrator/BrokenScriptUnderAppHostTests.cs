using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>A failing migration keeps the API down, and the migrator's logs say which script failed.</summary>
public sealed class BrokenScriptUnderAppHostTests
{
    [Fact]
    public async Task Broken_script_fails_the_migrator_and_the_api_never_starts()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"broken-{Guid.NewGuid():N}");
        var folder = TestScripts.Folder("29990101000000_broken_on_purpose.sql", "SELECT * FROM table_that_does_not_exist;");
        var logs = new ResourceLogCollector("migrations");
        try
        {
            await using var app = await AppHostFixture.StartAsync(
                ["Postgres:Mode=local", $"Postgres:DataPath={dataPath}"],
                builder =>
                {
                    var migrations = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "migrations");
                    builder.CreateResourceBuilder(migrations).WithEnvironment("Migrations__AdditionalScriptsPath", folder);
                    builder.Services.AddSingleton<ILoggerProvider>(logs);
                },
                waitForApi: false);

            app.ResourceNotifications.TryGetCurrentState("migrations", out var migrations);
            Assert.NotEqual(0, migrations!.Snapshot.ExitCode);

            // Give the API every chance to start wrongly before looking.
            await Task.Delay(TimeSpan.FromSeconds(3));
            app.ResourceNotifications.TryGetCurrentState("api", out var api);
            Assert.NotEqual(KnownResourceStates.Running, api!.Snapshot.State?.Text);
            Assert.Null(api.Snapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy ? "healthy" : null);

            Assert.True(await logs.WaitForAsync("42P01", TimeSpan.FromSeconds(45)), logs.Text);
            Assert.Contains("29990101000000_broken_on_purpose.sql", logs.Text);
            await app.StopAsync();
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
            AppHostFixture.TryDelete(dataPath);
        }
    }
}
