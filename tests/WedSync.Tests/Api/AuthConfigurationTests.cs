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
}
