using Microsoft.Extensions.DependencyInjection;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Foundation;

/// <summary>The migrator's verbs as commands of the <c>migrations</c> resource, run as the dashboard and the aspire CLI run them.</summary>
[Collection(AppHostCollection.Name)]
public sealed class MigrationsResourceCommandTests(AppHostFixture fixture)
{
    private ResourceCommandService Commands => fixture.App.Services.GetRequiredService<ResourceCommandService>();

    [Fact]
    public async Task Plan_command_says_nothing_is_pending_after_the_migrator_ran()
    {
        var result = await Commands.ExecuteCommandAsync("migrations", "plan");

        Assert.True(result.Success, result.Message);
        Assert.Equal("No pending scripts.", result.Data?.Value);
    }

    [Fact]
    public async Task Plan_command_with_the_json_argument_answers_json()
    {
        var arguments = new InteractionInputCollection([new InteractionInput { Name = "json", InputType = InputType.Boolean, Value = "true" }]);

        var result = await Commands.ExecuteCommandAsync("migrations", "plan", arguments);

        Assert.True(result.Success, result.Message);
        Assert.Equal(CommandResultFormat.Json, result.Data?.Format);
        Assert.Equal("[]", result.Data?.Value);
    }

    [Fact]
    public async Task Status_command_shows_every_request_complete()
    {
        var result = await Commands.ExecuteCommandAsync("migrations", "status");

        Assert.True(result.Success, result.Message);
        Assert.Contains("| WS-170 | Viral Referral System | 2025-01-28 | complete |", result.Data?.Value);
        Assert.DoesNotContain("| pending |", result.Data?.Value);
    }

    [Fact]
    public async Task Verify_command_reports_no_drift()
    {
        var result = await Commands.ExecuteCommandAsync("migrations", "verify");

        Assert.True(result.Success, result.Message);
        Assert.Contains("| WS-170 |", result.Data?.Value);
    }

    [Fact]
    public async Task Lint_command_of_a_file_reports_its_finding()
    {
        var script = Path.Combine(Path.GetTempPath(), $"lint-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, "CREATE INDEX referrals_code ON referrals (code);\n");
        try
        {
            var arguments = new InteractionInputCollection([new InteractionInput { Name = "path", InputType = InputType.Text, Value = script }]);

            var result = await Commands.ExecuteCommandAsync("migrations", "lint", arguments);

            Assert.Contains(Path.GetFileName(script), result.Data?.Value);
            Assert.Contains("index-not-concurrent", result.Data?.Value, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task Up_is_disabled_when_nothing_is_pending()
    {
        // The plan run tells the AppHost what is pending; the command's state follows.
        await Commands.ExecuteCommandAsync("migrations", "plan");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var state = await fixture.App.ResourceNotifications.WaitForResourceAsync(
            "migrations", e => e.Snapshot.Commands.Any(c => c.Name == "up" && c.State == ResourceCommandState.Disabled), timeout.Token);

        Assert.Contains(state.Snapshot.Commands, c => c.Name == "up" && c.State == ResourceCommandState.Disabled);
        Assert.Contains(state.Snapshot.Commands, c => c.Name == "repair" && c.State == ResourceCommandState.Enabled);
    }
}
