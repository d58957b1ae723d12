using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>A Webhooks setting out of its range stops the API at startup, naming it (a zero backoff would hammer a failing receiver).</summary>
public sealed class WebhookSettingsTests
{
    [Theory]
    [InlineData("Webhooks__BackoffBase", "00:00:00", "BackoffBase")]
    [InlineData("Webhooks__PauseAfterFailures", "0", "PauseAfterFailures")]
    public async Task Api_refuses_to_start_with_a_webhook_setting_out_of_range(string variable, string value, string member)
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
        Assert.Contains("validation failed", result.Output, StringComparison.OrdinalIgnoreCase);
    }
}
