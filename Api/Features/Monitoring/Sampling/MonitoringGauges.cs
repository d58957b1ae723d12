using System.Diagnostics.Metrics;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// The WedSync.Monitoring observable gauges. They report the last sample of this instance's sampler,
/// and nothing while this instance does not hold the sampler lease, so that several API instances do
/// not chart the same database several times.
/// </summary>
public sealed class MonitoringGauges
{
    public const string MeterName = "WedSync.Monitoring";

    private readonly Histogram<double> sampleDuration;
    private volatile MonitoringSnapshot? latest;

    public MonitoringGauges(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Gauge(meter, "wedsync.monitoring.connections.in_use", "{connection}", "Client connections to the database server", s => s.ConnectionsInUse);
        Gauge(meter, "wedsync.monitoring.connections.utilization", "%", "Client connections as a percentage of max_connections", s => s.ConnectionUtilizationPct);
        Gauge(meter, "wedsync.monitoring.slow_queries", "{statement}", "Statements running longer than 100 ms now", s => s.SlowQueries);
        meter.CreateObservableGauge("wedsync.monitoring.tables.rls_risk", () => RlsRisk(), "{table}",
            "Relations at RLS risk (every relation the request role reaches, and the tables of schema public), by risk level (HIGH: rows reachable without RLS, MEDIUM: no policy)");
        Gauge(meter, "wedsync.monitoring.tables.needing_vacuum", "{table}", "Tables with more than 20 % dead rows", s => s.TablesNeedingVacuum);
        Gauge(meter, "wedsync.monitoring.events.open_critical", "{event}", "Unresolved critical monitoring events", s => s.OpenCriticalEvents);
        Gauge(meter, "wedsync.monitoring.health_score", "1", "Database health score 0-100", s => s.HealthScore);
        // The sampler's own cost, so that "monitoring adds no load" can be watched, not just believed.
        // A pass takes milliseconds: the SDK's default buckets (0, 5, 10, 25… read as seconds) put every pass below 5 s.
        sampleDuration = meter.CreateHistogram("wedsync.monitoring.sample.duration", "s",
            "Time one sampling tick took: the sample, the condition events and any due clean-up",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SampleDurationBuckets });
    }

    /// <summary>Seconds; sub-second passes land in a bucket of their own (OpenTelemetry's HTTP duration boundaries).</summary>
    public static readonly double[] SampleDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];

    public static readonly string[] InstrumentNames =
    [
        "wedsync.monitoring.connections.in_use",
        "wedsync.monitoring.connections.utilization",
        "wedsync.monitoring.slow_queries",
        "wedsync.monitoring.tables.rls_risk",
        "wedsync.monitoring.tables.needing_vacuum",
        "wedsync.monitoring.events.open_critical",
        "wedsync.monitoring.health_score",
    ];

    public void Publish(MonitoringSnapshot snapshot) => latest = snapshot;

    /// <summary>True while this instance holds the sampler lease and its last sample succeeded.</summary>
    public bool IsPublishing => latest is not null;

    public void RecordSampleDuration(TimeSpan duration, bool succeeded) =>
        sampleDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", succeeded ? "success" : "failure"));

    /// <summary>Stops reporting (this instance lost or never got the sampler lease, or sampling failed).</summary>
    public void Clear() => latest = null;

    private void Gauge(Meter meter, string name, string unit, string description, Func<MonitoringSnapshot, double> value) =>
        meter.CreateObservableGauge(name, () => latest is { } s ? [new Measurement<double>(value(s))] : Array.Empty<Measurement<double>>(), unit, description);

    private IEnumerable<Measurement<int>> RlsRisk() => latest is { } s
        ? [new Measurement<int>(s.TablesRlsHighRisk, new KeyValuePair<string, object?>("risk", "HIGH")),
           new Measurement<int>(s.TablesRlsMediumRisk, new KeyValuePair<string, object?>("risk", "MEDIUM"))]
        : [];
}
