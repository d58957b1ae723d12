using System.Diagnostics;
using System.Runtime.ExceptionServices;
using DbUp.Builder;
using DbUp.Engine;
using DbUp.Helpers;
using Microsoft.Extensions.Logging;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Drift;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Lint;
using WedSync.Migrations.Sql;
using WedSync.Migrations.Status;

namespace WedSync.Migrations.Engine;

/// <summary>
/// The migrator: creates the database when missing, takes the run's lock, keeps a checksum journal,
/// refuses drift and scripts it cannot run faithfully before anything is applied, and has DbUp's
/// <c>UpgradeEngine</c> apply the pending scripts one by one (<see cref="MigratorUpgrade"/>: the project's
/// executor, journal, providers and filter), each with its journal row (<see cref="ScriptRunner"/>). Before
/// applying it lints the pending scripts (<see cref="PendingScriptGate"/>); only tests of the runner itself
/// turn that off (<paramref name="lintPendingScripts"/>), never configuration. <paramref name="configureUpgrade"/>
/// adds to the DbUp upgrade the DbUp way (another script provider, a run-always script): what it adds is
/// checked, linted, journaled and shown by status as the catalog's scripts are.
/// </summary>
public sealed class MigrationEngine(
    string connectionString,
    ScriptCatalog catalog,
    RequestManifest manifest,
    MigratorOptions options,
    ILoggerFactory loggerFactory,
    bool lintPendingScripts = true,
    Action<UpgradeEngineBuilder>? configureUpgrade = null)
{
    private readonly ILogger logger = loggerFactory.CreateLogger<MigrationEngine>();

    public Task<MigrationOutcome> UpAsync(CancellationToken cancellationToken) => UpAsync([], cancellationToken);

    /// <summary>
    /// Applies the pending scripts once none has an error-level lint finding, except of the rules in
    /// <paramref name="allowedLintRules"/> (<c>--allow</c>), which each script's journal row records.
    /// </summary>
    public async Task<MigrationOutcome> UpAsync(IReadOnlyCollection<string> allowedLintRules, CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity("migrations up");
        // Reading the catalog (each script's statements and refusals, and the lint of every script) needs no
        // database: it runs on one background thread while the database is found, locked and its journal
        // read. What is pending is known only then, and only those scripts' findings count. One thread, not a
        // parallel loop: on a small machine the other core is the run's own, and the database server's.
        await using var dataSource = MigratorDataSource.Create(connectionString);
        var connections = new MigratorConnectionManager(dataSource);
        var journal = new ChecksumJournal(new JournalStore(dataSource, logger));
        var executor = new MigratorScriptExecutor();
        var upgrade = Upgrade(connections, journal, executor, out var runCatalog);
        var reading = Task.Run(
            () => (Prepared: runCatalog.Scripts.Select(PreparedScript.Of).ToList(), LintErrors: lintPendingScripts ? PendingScriptGate.LintCatalog(runCatalog) : null),
            cancellationToken);
        await DatabaseBootstrap.EnsureAsync(dataSource, connectionString, logger, cancellationToken);
        logger.LogDebug("Database found or created");

        MigrationLock migrationLock;
        try
        {
            migrationLock = await MigrationLock.AcquireAsync(dataSource, options.LockTimeout, logger, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return MigrationOutcome.Failed(MigrationOutcome.LockTimeout, ex.Message);
        }

        await using (migrationLock)
        {
            logger.LogDebug("Migration lock taken");
            var entries = await journal.LoadAsync(runCatalog, cancellationToken);
            logger.LogDebug("Journal read: {Count} entries", entries.Count);
            var driftBefore = await SchemaDriftLog.WarnAsync(dataSource, logger, cancellationToken);

            var report = MigrationStatusCalculator.Calculate(runCatalog, manifest, entries);
            var modified = report.Modified.Select(s => s.Name).ToList();
            if (modified.Count > 0)
            {
                var message = $"Applied scripts were changed since they ran: {string.Join(", ", modified)}. " +
                    "Nothing was applied. Restore them, or run `repair <script>` to accept the new text.";
                activity?.SetStatus(ActivityStatusCode.Error, "drift");
                return MigrationOutcome.Failed(MigrationOutcome.DriftDetected, message);
            }

            // A pending script with an applied script's text is that script renamed (or copied): never run it again silently.
            var renames = ScriptRenames.Find(runCatalog, entries);
            if (renames.Count > 0)
            {
                var message = $"Nothing was applied: {renames.Count} pending script(s) have the text of an applied script, so up would run it a second time:\n  " +
                    string.Join("\n  ", renames);
                activity?.SetStatus(ActivityStatusCode.Error, "renamed");
                return MigrationOutcome.Failed(MigrationOutcome.DriftDetected, message);
            }

            // What is pending is DbUp's answer: its sorter and the checksum-aware filter over the journal read under the lock.
            var pendingNames = upgrade.GetScriptsToExecute().Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var (catalogPrepared, catalogLint) = await reading;
            var prepared = catalogPrepared.Where(p => pendingNames.Contains(p.Name)).ToList();
            // A script the migrator cannot run at all is refused first (exit 6, in ApplyAsync); the lint judges runnable scripts.
            var gate = catalogLint is not null && pendingNames.Count > 0 && prepared.All(p => p.Problems.Count == 0)
                ? PendingScriptGate.Check(await catalogLint.KnowingAsync(dataSource, pendingNames, cancellationToken), pendingNames, allowedLintRules)
                : PendingScriptGate.Check(runCatalog, [], allowedLintRules);
            if (!gate.Passed)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "lint");
                return MigrationOutcome.Failed(MigrationOutcome.LintRefused, gate.Message());
            }

            foreach (var (script, rules) in gate.Overridden)
            {
                logger.LogWarning("Applying {Script} with its error-level lint findings of {Rules} overridden by --allow (recorded in the journal)", script, rules);
            }

            var pending = prepared.Select(p => p with { AllowedLintRules = gate.Overridden.GetValueOrDefault(p.Name) ?? [] }).ToList();
            var outcome = await ApplyAsync(dataSource, upgrade, executor, pending, journal: true, entries.Count, migrationLock, cancellationToken);
            activity?.SetTag("wedsync.migration.applied_count", outcome.Applied.Count);
            if (!outcome.Succeeded)
            {
                activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
                return outcome;
            }

            if (options.SeedDemoData)
            {
                logger.LogInformation("Applying the Development demo data (not journaled)");
                // DbUp's own null journal: the demo rows are seeded on every run that asks for them.
                var demoProvider = new EmbeddedScriptProvider(ScriptCatalog.DemoDataFolder);
                var demoExecutor = new MigratorScriptExecutor();
                var demo = demoProvider.Scripts.Select(PreparedScript.Of).ToList();
                var demoUpgrade = MigratorUpgrade.Builder(connections, [demoProvider], new NullJournal(), new DbUp.Engine.Filters.DefaultScriptFilter(), demoExecutor).Build();
                var seeded = await ApplyAsync(dataSource, demoUpgrade, demoExecutor, demo, journal: false, 0, migrationLock, cancellationToken);
                if (!seeded.Succeeded)
                {
                    return seeded;
                }
            }

            try
            {
                await migrationLock.EnsureHeldAsync(dataSource, "recording the schema fingerprint", cancellationToken);
            }
            catch (MigrationLockLostException ex)
            {
                return new MigrationOutcome(MigrationOutcome.LockLost, outcome.Applied, ex.Message);
            }

            await SchemaDriftLog.RecordAsync(dataSource, driftBefore, logger, cancellationToken);
            return outcome;
        }
    }

    /// <summary>DbUp's upgrade for this engine's providers (and what <c>configureUpgrade</c> added), and the scripts its providers discover.</summary>
    private UpgradeEngine Upgrade(MigratorConnectionManager connections, ChecksumJournal journal, MigratorScriptExecutor executor, out ScriptCatalog discovered)
    {
        var builder = MigratorUpgrade.Builder(connections, catalog.Providers, journal, new ChecksumScriptFilter(journal), executor);
        configureUpgrade?.Invoke(builder);
        var configuration = builder.BuildConfiguration();
        discovered = configureUpgrade is null ? catalog : ScriptCatalog.Discover(configuration.ScriptProviders, connections);
        return new UpgradeEngine(configuration);
    }

    /// <summary>The scripts status, plan and repair judge: the catalog plus what <c>configureUpgrade</c> added.</summary>
    private ScriptCatalog RunCatalog(MigratorConnectionManager connections)
    {
        if (configureUpgrade is null)
        {
            return catalog;
        }

        var journal = new ChecksumJournal(new JournalStore(connections.DataSource, logger));
        Upgrade(connections, journal, new MigratorScriptExecutor(), out var discovered);
        return discovered;
    }

    private async Task<MigrationOutcome> ApplyAsync(
        NpgsqlDataSource dataSource, UpgradeEngine upgrade, MigratorScriptExecutor executor, IReadOnlyList<PreparedScript> scripts, bool journal, int alreadyApplied, MigrationLock migrationLock, CancellationToken cancellationToken)
    {
        if (scripts.Count == 0)
        {
            logger.LogInformation("No pending scripts: the database is up to date ({Count} scripts applied)", alreadyApplied);
            return MigrationOutcome.Ok();
        }

        var problems = scripts.SelectMany(s => s.Problems).ToList();
        if (problems.Count > 0)
        {
            return MigrationOutcome.Failed(MigrationOutcome.ScriptRefused,
                $"Nothing was applied: {problems.Count} statement(s) cannot run through the migrator:\n  " + string.Join("\n  ", problems));
        }

        logger.LogInformation("Applying {Pending} pending scripts", scripts.Count);
        executor.Begin(new ScriptRunner(dataSource, options.CommandTimeout, AppliedBy(), logger, journal ? Guid.CreateVersion7() : null, migrationLock.Guard),
            scripts, journal, cancellationToken);
        upgrade.ScriptExecuted += (_, e) => logger.LogInformation("Applied {Script}", ((ScriptExecutedEventArgs)e).Script.Name);
        // DbUp's engine is synchronous: it runs on a pool thread, so no caller's synchronization context waits on it.
        var result = await Task.Run(upgrade.PerformUpgrade, CancellationToken.None);
        var applied = result.Scripts.Select(s => s.Name).ToList();
        if (result.Error is null)
        {
            logger.LogInformation("Applied {Count} scripts: {Scripts}", applied.Count, applied);
            return MigrationOutcome.Ok(applied);
        }

        if (result.Error is MigrationLockLostException lockLost)
        {
            var error = $"{lockLost.Message} {AppliedBefore(applied)}";
            logger.LogError("{Failure}", error);
            return new MigrationOutcome(MigrationOutcome.LockLost, applied, error);
        }

        if (result.Error is ScriptFailedException failed)
        {
            var before = applied.Count == 0
                ? "No script was applied before it in this run."
                : $"The {applied.Count} script(s) applied before it in this run stay committed: {string.Join(", ", applied)}.";
            var error = $"{failed.Message} {before} The run stopped there.";
            // The message says what failed, where and what committed; a stack trace would only bury it.
            logger.LogError("{Failure}", error);
            return new MigrationOutcome(MigrationOutcome.ScriptFailed, applied, error);
        }

        // Cancellation and the unexpected keep their type for the command line's exit codes.
        ExceptionDispatchInfo.Throw(result.Error);
        return MigrationOutcome.Failed(MigrationOutcome.UnexpectedError, result.Error.Message);
    }

    public async Task<MigrationStatusReport> StatusAsync(CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity("migrations status");
        await using var dataSource = MigratorDataSource.Create(connectionString);
        var entries = await new JournalStore(dataSource, logger).ReadAsync(cancellationToken);
        return MigrationStatusCalculator.Calculate(RunCatalog(new MigratorConnectionManager(dataSource)), manifest, entries);
    }

    /// <summary>The live schema against the fingerprint the last successful <c>up</c> recorded.</summary>
    public async Task<SchemaDriftReport> SchemaDriftAsync(CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity("migrations verify schema");
        await using var dataSource = MigratorDataSource.Create(connectionString);
        return await SchemaFingerprintStore.CompareAsync(dataSource, cancellationToken);
    }

    /// <summary>Accepts the current text of modified scripts (all of them when none is named), in one transaction.</summary>
    public async Task<MigrationOutcome> RepairAsync(IReadOnlyCollection<string> scriptNames, CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity("migrations repair");
        await using var dataSource = MigratorDataSource.Create(connectionString);
        MigrationLock migrationLock;
        try
        {
            migrationLock = await MigrationLock.AcquireAsync(dataSource, options.LockTimeout, logger, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            return MigrationOutcome.Failed(MigrationOutcome.LockTimeout, ex.Message);
        }

        await using (migrationLock)
        {
            var journal = new JournalStore(dataSource, logger);
            var entries = await journal.ReadAsync(cancellationToken);
            var runCatalog = RunCatalog(new MigratorConnectionManager(dataSource));
            var report = MigrationStatusCalculator.Calculate(runCatalog, manifest, entries);

            var unknown = scriptNames.Where(name => report.Scripts.All(s => s.Name != name)).ToList();
            if (unknown.Count > 0)
            {
                return MigrationOutcome.Failed(MigrationOutcome.UsageError, $"No such script: {string.Join(", ", unknown)}");
            }

            var targets = report.Modified.Where(s => scriptNames.Count == 0 || scriptNames.Contains(s.Name)).ToList();
            // A renamed script (its old name gone from the catalog) takes over its journal row: applied once, under its new name.
            var renames = ScriptRenames.Find(runCatalog, entries)
                .Where(r => !r.AppliedStillInCatalog && (scriptNames.Count == 0 || scriptNames.Contains(r.Name)))
                .GroupBy(r => r.AppliedName, StringComparer.Ordinal).Select(g => g.First()).ToList();
            if (targets.Count == 0 && renames.Count == 0)
            {
                logger.LogInformation("Nothing to repair: no named script is modified or renamed");
                return MigrationOutcome.Ok();
            }

            try
            {
                await migrationLock.EnsureHeldAsync(dataSource, "recording the checksums", cancellationToken);
            }
            catch (MigrationLockLostException ex)
            {
                return MigrationOutcome.Failed(MigrationOutcome.LockLost, ex.Message);
            }

            await journal.RecordChecksumsAsync(targets.Select(s => (s.Name, s.Checksum!)).ToList(), renames.Select(r => (r.AppliedName, r.Name)).ToList(), cancellationToken);
            foreach (var script in targets)
            {
                logger.LogWarning("Repaired {Script}: recorded checksum {New} in place of {Old}", script.Name, script.Checksum, script.AppliedChecksum);
            }

            foreach (var rename in renames)
            {
                logger.LogWarning("Recorded the rename of {Old} to {New}: its journal row now names {New}, which is applied and will not run", rename.AppliedName, rename.Name, rename.Name);
            }

            return MigrationOutcome.Ok([.. targets.Select(s => s.Name), .. renames.Select(r => r.Name)]);
        }
    }

    private static string AppliedBefore(IReadOnlyList<string> applied) => applied.Count == 0
        ? "No script was applied in this run."
        : $"The {applied.Count} script(s) applied before it in this run stay committed, each proven under the lock: {string.Join(", ", applied)}.";

    private static string AppliedBy() => $"{Environment.UserName}@{Environment.MachineName}";
}
