using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using WedSync.Api.Platform.Auth;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>The README's Development command: a token for a demo user that the API accepts.</summary>
[Collection(AppHostCollection.Name)]
public sealed partial class DevTokenCommandTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Token_command_prints_a_token_the_api_accepts_for_the_demo_user()
    {
        var result = await ApiProcess.RunAsync(
            new Dictionary<string, string> { ["Auth__SigningKey"] = AppHostFixture.JwtSigningKey },
            launchProfile: true,
            TimeSpan.FromMinutes(1),
            "token", "owner@evergreen.test", "--roles", "platform_admin");

        Assert.True(result.ExitCode == 0, result.Output);
        var token = result.Output.Trim().Split('\n').Last().Trim();
        var jwt = new JsonWebToken(token);
        Assert.Equal(DemoUsersInSeedData()["owner@evergreen.test"].ToString(), jwt.Subject);
        Assert.Contains("platform_admin", jwt.GetPayloadValue<JsonElement>("roles").EnumerateArray().Select(role => role.GetString()));

        // The API accepts it: the demo organization when the demo data is seeded, else 403 (no profile); never 401.
        var seeded = await fixture.RowTextAsync("user_profiles", await ProfileIdAsync(jwt.Subject)) is not null;
        using var response = await fixture.Api.GetAsync("/api/organization", token);
        Assert.Equal(seeded ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
        if (seeded)
        {
            Assert.Contains("evergreen-photography", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Token_command_refuses_outside_development()
    {
        var result = await ApiProcess.RunAsync(
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Auth__SigningKey"] = AppHostFixture.JwtSigningKey },
            launchProfile: false,
            TimeSpan.FromMinutes(1),
            "token", "owner@evergreen.test");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("only in Development", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_users_of_the_token_command_are_the_seeded_ones()
    {
        Assert.Equal(
            DemoUsersInSeedData().OrderBy(user => user.Key, StringComparer.Ordinal),
            DemoUsers.ByEmail.OrderBy(user => user.Key, StringComparer.Ordinal));
    }

    private async Task<Guid> ProfileIdAsync(string userId)
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new Npgsql.NpgsqlCommand("SELECT id FROM user_profiles WHERE user_id = @userId::uuid", connection);
        command.Parameters.AddWithValue("userId", userId);
        return (Guid?)await command.ExecuteScalarAsync() ?? Guid.Empty;
    }

    private static Dictionary<string, Guid> DemoUsersInSeedData()
    {
        var sql = File.ReadAllText(Path.Combine(
            Path.GetDirectoryName(new Projects.Migrations().ProjectPath)!, "DevData", "0001_demo_organizations.sql"));
        return SeedUser().Matches(sql).ToDictionary(match => match.Groups["email"].Value, match => Guid.Parse(match.Groups["id"].Value));
    }

    // ('<user id>', '<organization id>', '<ROLE>', '<email>', ...
    [GeneratedRegex(@"\('(?<id>[0-9a-f-]{36})', '[0-9a-f-]{36}', '[A-Z]+', '(?<email>[^']+)'")]
    private static partial Regex SeedUser();
}
