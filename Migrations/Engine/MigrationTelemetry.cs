using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WedSync.Migrations.Engine;

/// <summary>The migrator's span source and meter, both named <c>WedSync.Migrations</c>.</summary>
public static class MigrationTelemetry
{
    public const string Name = "WedSync.Migrations";

    public static readonly ActivitySource Source = new(Name, MigratorVersion.Current);

    private static readonly Meter Meter = new(Name, MigratorVersion.Current);

    public static readonly Counter<long> ScriptsApplied =
        Meter.CreateCounter<long>("wedsync.migrations.scripts.applied", "{script}", "Scripts applied successfully");

    public static readonly Counter<long> ScriptsFailed =
        Meter.CreateCounter<long>("wedsync.migrations.scripts.failed", "{script}", "Scripts that failed and were rolled back");

    public static readonly Histogram<double> ScriptDuration =
        Meter.CreateHistogram<double>("wedsync.migrations.script.duration", "ms", "Time to apply one script");
}
