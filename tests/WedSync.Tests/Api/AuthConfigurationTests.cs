using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Api;

/// <summary>Outside Development a missing or short signing key stops the API at startup, saying which setting.</summary>
public sealed class AuthConfigurationTests
{
    [Theory]
    [InlineData("")]
    [InlineData("short-key-of-31-bytes-012345678")]
    public async Task Api_refuses_to_start_without_a_32_byte_signing_key(string key)
    {
        var result = await ApiProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Auth__SigningKey"] = key,
                ["ConnectionStrings__wedsync"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none",
            },
            launchProfile: false,
            TimeSpan.FromMinutes(1));

        Assert.False(result.TimedOut, "the API started: " + result.Output);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Auth:SigningKey must be at least 32 bytes", result.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// With Auth:Authority, key refresh settings below IdentityModel's floors (1 s between fetches, 5 min for
    /// the set's age) stop the API at startup naming the setting, not with the library's exception.
    /// </summary>
    [Theory]
    [InlineData("Auth__KeyRefreshInterval", "00:00:00.500", "Auth:KeyRefreshInterval must be at least")]
    [InlineData("Auth__KeySetMaxAge", "00:01:00", "Auth:KeySetMaxAge must be at least")]
    public async Task Api_refuses_key_refresh_settings_the_token_library_cannot_honour(string setting, string value, string message)
    {
        var result = await ApiProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Auth__Authority"] = "https://login.example.invalid/tenant/v2.0",
                [setting] = value,
                ["ConnectionStrings__wedsync"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none",
            },
            launchProfile: false,
            TimeSpan.FromMinutes(1));

        Assert.False(result.TimedOut, "the API started: " + result.Output);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Output, StringComparison.Ordinal);
    }
}
