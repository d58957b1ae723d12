using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Api;

/// <summary>A referral or monitoring setting out of its range, or not of its type, stops the API at startup, naming the setting.</summary>
public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("Referrals__CodesPerHour", "0", "CodesPerHour")]
    [InlineData("Referrals__SignupUrl", "not a url", "SignupUrl")]
    [InlineData("Referrals__ReferralsPerIpPerDay", "-5", "ReferralsPerIpPerDay")]
    [InlineData("Monitoring__SampleInterval", "00:00:00", "SampleInterval")]
    [InlineData("Monitoring__ResultMaxAge", "02:00:00", "ResultMaxAge")]
    [InlineData("Monitoring__SamplerEnabled", "maybe", "Monitoring:SamplerEnabled")]
    [InlineData("Monitoring__SlowQueryHighThreshold", "00:00:02", "SlowQueryHighThreshold")]
    [InlineData("Api__ForwardedHeaders__KnownNetworks__0", "10.0.0.0/33", "KnownNetworks")]
    [InlineData("Api__ForwardedHeaders__KnownProxies__0", "proxy.internal", "KnownProxies")]
    public async Task Api_refuses_to_start_with_a_setting_out_of_range(string variable, string value, string member)
    {
        var result = await ApiProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Auth__SigningKey"] = "settings-validation-test-key-0123456789abcdef",
                ["ConnectionStrings__wedsync"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none",
                [variable] = value,
            },
            launchProfile: false,
            TimeSpan.FromMinutes(1));

        Assert.False(result.TimedOut, "the API started: " + result.Output);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(member, result.Output, StringComparison.Ordinal);
        // Out of range: the options validation names the member; not a boolean at all: binding names the key.
        Assert.True(result.Output.Contains("validation failed", StringComparison.OrdinalIgnoreCase)
            || result.Output.Contains("Failed to convert configuration value", StringComparison.Ordinal), result.Output);
    }
}
