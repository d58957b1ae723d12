namespace Microsoft.Extensions.Hosting;

/// <summary>The project's own activity sources and meters, registered once in ServiceDefaults.</summary>
public static class TelemetryNames
{
    public const string Migrations = "WedSync.Migrations";
    public const string Referrals = "WedSync.Referrals";
    public const string Monitoring = "WedSync.Monitoring";
    public const string Api = "WedSync.Api";

    public static readonly string[] All = [Migrations, Referrals, Monitoring, Api];
}
