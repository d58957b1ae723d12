using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Faults;

/// <summary>
/// A distributed app of its own for tests that stop the database or drain the API's pool, so the
/// shared fixture never sees their faults. The API gets a small pool that gives up quickly.
/// </summary>
public sealed class FaultFixture : AppHostFixture
{
    public const int PoolSize = 5;

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        var database = builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "wedsync");
        var api = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "api");
        // Runs after WithReference's callback, so this value wins.
        api.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
            env["ConnectionStrings__wedsync"] = ReferenceExpression.Create(
                $"{database.ConnectionStringExpression};Maximum Pool Size={PoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture)};Timeout=3")));
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "faults";
}
