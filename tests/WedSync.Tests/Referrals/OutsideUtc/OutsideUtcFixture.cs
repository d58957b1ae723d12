using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals.OutsideUtc;

/// <summary>
/// A distributed app of its own whose API sessions run in a time zone where today's date is not
/// UTC's (so a bucket by the session's day lands on another date), and which trusts no proxy (so
/// X-Forwarded-For from the test process must be ignored). The shared fixture keeps UTC and trusts
/// loopback; neither setting can change under other tests.
/// </summary>
public sealed class OutsideUtcFixture : AppHostFixture
{
    public OutsideUtcFixture()
    {
        // Etc/GMT signs are inverted (POSIX): Etc/GMT-14 is UTC+14, Etc/GMT+12 is UTC-12. From 10:00 UTC
        // on, UTC+14 is already tomorrow; before 12:00 UTC, UTC-12 is still yesterday.
        TimeZone = DateTime.UtcNow.Hour >= 11 ? "Etc/GMT-14" : "Etc/GMT+12";
    }

    /// <summary>The API sessions' TimeZone: its date differs from UTC's for hours around the start of the tests.</summary>
    public string TimeZone { get; }

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        var database = builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "wedsync");
        var api = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "api");
        // Runs after the base fixture's callback and WithReference's, so these values win.
        api.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
        {
            env["ConnectionStrings__wedsync"] = ReferenceExpression.Create($"{database.ConnectionStringExpression};Timezone={TimeZone}");
            // The API process's own zone too: a time sent without an offset must still be read as UTC.
            env["TZ"] = TimeZone;
            env.Remove("Api__ForwardedHeaders__KnownNetworks__0");
            env.Remove("Api__ForwardedHeaders__KnownNetworks__1");
        }));
    }
}

[CollectionDefinition(Name)]
public sealed class OutsideUtcCollection : ICollectionFixture<OutsideUtcFixture>
{
    public const string Name = "outside-utc";
}
