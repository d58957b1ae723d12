using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.History;

/// <summary>
/// A distributed app of its own for the history tests: they capture every 2 s, reset
/// pg_stat_statements, create probe tables and apply a migration request of their own, none of which
/// may reach the shared fixture's catalog, journal or statistics that other tests read.
/// </summary>
public sealed class HistoryFixture : AppHostFixture
{
    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        var api = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "api");
        api.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
        {
            // History tests wait for two captures; every statement of an interval is kept so none is crowded out.
            env["Monitoring__QueryHistoryInterval"] = SamplerInterval.ToString();
            env["Monitoring__CapacitySampleInterval"] = SamplerInterval.ToString();
            env["Monitoring__QueryHistoryTopStatements"] = "5000";
        }));
    }
}

[CollectionDefinition(Name)]
public sealed class HistoryCollection : ICollectionFixture<HistoryFixture>
{
    public const string Name = "monitoring-history";
}
