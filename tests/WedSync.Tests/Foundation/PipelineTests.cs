using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Foundation;

[Collection(AppHostCollection.Name)]
public sealed class PipelineTests(AppHostFixture fixture)
{
    [Fact]
    public void Migrator_finished_with_exit_code_zero()
    {
        var found = fixture.App.ResourceNotifications.TryGetCurrentState("migrations", out var state);

        Assert.True(found);
        Assert.Equal(KnownResourceStates.Finished, state!.Snapshot.State?.Text);
        Assert.Equal(0, state.Snapshot.ExitCode);
    }

    [Fact]
    public async Task Api_health_answers_200()
    {
        using var response = await fixture.Api.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Api_version_reports_the_database_server()
    {
        var body = await fixture.Api.GetStringAsync("/api/version");

        Assert.Contains("\"databaseVersion\":\"15", body);
    }

    [Theory]
    [InlineData("organizations")]
    [InlineData("user_profiles")]
    public void Foundation_table_exists_with_row_level_security(string table)
    {
        using var connection = fixture.OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass(@table)";
        command.Parameters.AddWithValue("table", $"public.{table}");

        Assert.Equal(true, command.ExecuteScalar());
    }

    [Theory]
    [InlineData("app.current_user_id()")]
    [InlineData("app.current_organization_id()")]
    [InlineData("app.is_platform_admin()")]
    public void Claim_helper_exists(string function)
    {
        using var connection = fixture.OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT to_regprocedure(@function) IS NOT NULL";
        command.Parameters.AddWithValue("function", function);

        Assert.Equal(true, command.ExecuteScalar());
    }

    [Fact]
    public async Task Dashboard_status_command_shows_every_request_complete()
    {
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync("migrations", "migration-status");

        Assert.True(result.Success, result.Message);
        Assert.Contains("| WS-170 | Viral Referral System | 2025-01-28 | complete |", result.Data?.Value ?? result.Message ?? "");
    }
}
