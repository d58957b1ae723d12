namespace WedSync.Migrations;

/// <summary>The <c>Migrations</c> configuration section.</summary>
public sealed class MigratorOptions
{
    public const string SectionName = "Migrations";
    public const string ConnectionStringName = "wedsync";

    /// <summary>Applies the Development demo data after the schema; the AppHost sets it in Development only.</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>How long a migrator waits for another one holding the migration lock.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Longest a script (a no-transaction script: each of its statements) may run before the migrator
    /// cancels it. Unset (the default), the migrator never gives up first: the limits are the script's
    /// own statement_timeout and lock_timeout, and the server's.
    /// </summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>Extra scripts from disk appended to the embedded catalog (operators' hotfixes, fault tests).</summary>
    public string? AdditionalScriptsPath { get; set; }

    /// <summary>
    /// A request manifest file read in place of the embedded one (same format as
    /// Migrations/Catalog/RequestManifest.json): to report on an inbox of requests, and for tests.
    /// </summary>
    public string? RequestManifestPath { get; set; }
}
