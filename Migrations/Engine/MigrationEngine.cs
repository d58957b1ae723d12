using System.Diagnostics;
using DbUp;
using DbUp.Engine;
using DbUp.Helpers;
using Microsoft.Extensions.Logging;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Status;

namespace WedSync.Migrations.Engine;

/// <summary>
/// DbUp with what it lacks: an advisory lock for the run, a checksum journal, drift detection
/// before anything is applied, and status by request.
/// </summary>
public sealed class MigrationEngine(
    string connectionString,
    ScriptCatalog catalog,
    RequestManifest manifest,
    MigratorOptions options,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger<MigrationEngine>();

    public async Task<MigrationOutcome> UpAsync(CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity("migrations up");
        EnsureDatabase.For.PostgresqlDatabase(connectionString, new DbUp.Engine.Output.NoOpUpgradeLog());

        MigrationLock migrationLock;
        try
        {
            migrationLock = await MigrationLock.AcquireAsync(connectionString, options.LockTimeout, logger, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            logger.LogError("{Error}", ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return MigrationOutcome.Failed(MigrationOutcome.LockTimeout, ex.Message);
        }

        await using (migrationLock)
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var journal = new JournalStore(dataSource, logger);
            await journal.EnsureAsync(catalog, cancellationToken);
            var entries = await journal.ReadAsync(cancellationToken);

            var report = MigrationStatusCalculator.Calculate(catalog, manifest, entries);
            var modified = report.Modified.Select(s => s.Name).ToList();
            if (modified.Count > 0)
            {
                var message = $"Applied scripts were changed since they ran: {string.Join(", ", modified)}. " +
                    "Nothing was applied. Restore them, or run `repair <script>` to accept the new text.";
                logger.LogError("Drift detected in {Scripts}; nothing was applied", modified);
                activity?.SetStatus(ActivityStatusCode.Error, "drift");
                return MigrationOutcome.Failed(MigrationOutcome.DriftDetected, message);
            }

            var outcome = ApplySchema(entries);
            activity?.SetTag("wedsync.migration.applied_count", outcome.Applied.Count);
            if (!outcome.Succeeded)
            {
                activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                return outcome;
            }

            if (options.SeedDemoData)
            {
                var seeded = ApplyDemoData();
                if (!seeded.Succeeded)
                {
                    return seeded;
                }
            }

            return outcome;
        }
    }

    private MigrationOutcome ApplySchema(IReadOnlyList<JournalEntry> entries)
    {
        var pending = catalog.Scripts.Count(s => entries.All(e => e.ScriptName != s.Name));
        if (pending == 0)
        {
            logger.LogInformation("No pending scripts: the database is up to date ({Count} scripts applied)", entries.Count);
            return MigrationOutcome.Ok();
        }

        logger.LogInformation("Applying {Pending} pending scripts", pending);
        var engineBuilder = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(catalog.Scripts)
            .WithTransactionPerScript()
            .JournalTo(new ChecksumJournal(entries, AppliedBy()))
            .LogTo(loggerFactory);
        engineBuilder.Configure(c => c.ScriptExecutor = new TracingScriptExecutor(c.ScriptExecutor));
        var result = engineBuilder.Build().PerformUpgrade();

        var applied = result.Scripts.Select(s => s.Name).ToList();
        if (result.Successful)
        {
            logger.LogInformation("Applied {Count} scripts: {Scripts}", applied.Count, applied);
            return MigrationOutcome.Ok(applied);
        }

        var error = ScriptFailureMessage.Describe(result.ErrorScript, result.Error);
        logger.LogError(result.Error, "{Failure}", error);
        return new MigrationOutcome(MigrationOutcome.ScriptFailed, applied, error);
    }

    private MigrationOutcome ApplyDemoData()
    {
        logger.LogInformation("Applying the Development demo data (not journaled)");
        var result = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(ScriptCatalog.Embedded(ScriptCatalog.DemoDataFolder).Scripts)
            .WithTransactionPerScript()
            .JournalTo(new NullJournal())
            .LogTo(loggerFactory)
            .Build()
            .PerformUpgrade();
        if (result.Successful)
        {
            return MigrationOutcome.Ok();
        }

        var error = ScriptFailureMessage.Describe(result.ErrorScript, result.Error);
        logger.LogError(result.Error, "{Failure}", error);
        return MigrationOutcome.Failed(MigrationOutcome.ScriptFailed, error);
    }

    public async Task<MigrationStatusReport> StatusAsync(CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity("migrations status");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var entries = await new JournalStore(dataSource, logger).ReadAsync(cancellationToken);
        return MigrationStatusCalculator.Calculate(catalog, manifest, entries);
    }

    /// <summary>Accepts the current text of modified scripts (all of them when none is named).</summary>
    public async Task<MigrationOutcome> RepairAsync(IReadOnlyCollection<string> scriptNames, CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity("migrations repair");
        await using var migrationLock = await MigrationLock.AcquireAsync(connectionString, options.LockTimeout, logger, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var journal = new JournalStore(dataSource, logger);
        var report = MigrationStatusCalculator.Calculate(catalog, manifest, await journal.ReadAsync(cancellationToken));

        var unknown = scriptNames.Where(name => report.Scripts.All(s => s.Name != name)).ToList();
        if (unknown.Count > 0)
        {
            return MigrationOutcome.Failed(MigrationOutcome.UsageError, $"No such script: {string.Join(", ", unknown)}");
        }

        var targets = report.Modified.Where(s => scriptNames.Count == 0 || scriptNames.Contains(s.Name)).ToList();
        foreach (var script in targets)
        {
            await journal.RecordChecksumAsync(script.Name, script.Checksum!, cancellationToken);
            logger.LogWarning("Repaired {Script}: recorded checksum {New} in place of {Old}", script.Name, script.Checksum, script.AppliedChecksum);
        }

        if (targets.Count == 0)
        {
            logger.LogInformation("Nothing to repair: no named script is modified");
        }

        return MigrationOutcome.Ok(targets.Select(s => s.Name).ToList());
    }

    private static string AppliedBy() => $"{Environment.UserName}@{Environment.MachineName}";
}
