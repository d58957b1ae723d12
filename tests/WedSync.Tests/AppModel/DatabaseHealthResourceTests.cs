using Microsoft.Extensions.DependencyInjection;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.AppModel;

/// <summary>
/// Issue 28: the database's health as resource state: <c>wedsync-health</c>, a child of the database, shows the
/// API's health score and advisor verdict, with links to the console pages that explain them.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class DatabaseHealthResourceTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Health_resource_under_the_database_shows_the_score_and_links_the_console()
    {
        var notifications = fixture.App.Services.GetRequiredService<ResourceNotificationService>();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var update = await notifications.WaitForResourceAsync(
            "wedsync-health", e => e.Snapshot.Properties.Any(p => p.Name == "health.score"), patience.Token);

        var snapshot = update.Snapshot;
        var score = Convert.ToInt32(snapshot.Properties.Single(p => p.Name == "health.score").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(score, 0, 100);
        Assert.Contains($"({score}/100)", snapshot.State?.Text, StringComparison.Ordinal);
        Assert.Contains(snapshot.Properties, p => p.Name == "advisor.errors");
        Assert.Contains(snapshot.Urls, url => url.Name == "Advisor" && url.Url.EndsWith("/console/advisor", StringComparison.Ordinal));
        Assert.Contains(snapshot.Relationships, r => r.Type == "Parent" && r.ResourceName.StartsWith("wedsync", StringComparison.Ordinal));
    }
}
