using Microsoft.Extensions.Logging;
using Npgsql;
using WedSync.Migrations.Drift;
using WedSync.Migrations.Engine;
using WedSync.Migrations.Lint;
using WedSync.Migrations.Status;

namespace WedSync.Migrations.Cli;

/// <summary>Runs one command; the exit code is the contract with the AppHost and with operators.</summary>
public sealed class MigratorCli(MigrationEngine engine, ILogger<MigratorCli> logger, TextWriter output)
{
    public async Task<int> RunAsync(MigratorCommand command, CancellationToken cancellationToken)
    {
        try
        {
            switch (command.Verb)
            {
                case "status":
                    {
                        var report = await engine.StatusAsync(cancellationToken);
                        await output.WriteLineAsync(command.Json ? StatusWriter.Json(report) : StatusWriter.Table(report));
                        return MigrationOutcome.Success;
                    }

                case "verify":
                    {
                        // The journal against the catalog, and the live schema against the last recorded fingerprint.
                        var report = await engine.StatusAsync(cancellationToken) with { SchemaDrift = await engine.SchemaDriftAsync(cancellationToken) };
                        await output.WriteLineAsync(command.Json ? StatusWriter.Json(report) : StatusWriter.Table(report) + Environment.NewLine + SchemaDriftText.Text(report.SchemaDrift));
                        return VerifyOutcome(report);
                    }

                case "repair":
                    return Report(await engine.RepairAsync(command.Scripts, cancellationToken));

                default:
                    {
                        var unknown = command.Allow.Except(Lint.PendingScriptGate.RuleNames, StringComparer.Ordinal).ToList();
                        if (unknown.Count > 0)
                        {
                            return Report(MigrationOutcome.Failed(MigrationOutcome.UsageError,
                                $"--allow names no lint rule: {string.Join(", ", unknown)}. The rules: {string.Join(", ", Lint.PendingScriptGate.RuleNames)}."));
                        }

                        return Report(await engine.UpAsync(command.Allow, cancellationToken));
                    }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Stopped before finishing: the script running was rolled back (a no-transaction script keeps the statements that had committed, without its journal row)");
            return MigrationOutcome.ScriptFailed;
        }
        catch (MigrationLockLostException ex)
        {
            return Report(MigrationOutcome.Failed(MigrationOutcome.LockLost, ex.Message));
        }
        catch (DatabaseUnavailableException ex)
        {
            return Report(MigrationOutcome.Failed(MigrationOutcome.DatabaseUnavailable, ex.Message));
        }
        catch (NpgsqlException ex)
        {
            // Outside a script: connecting, logging in, the lock or the journal.
            return Report(MigrationOutcome.Failed(MigrationOutcome.DatabaseUnavailable, DatabaseError(ex)));
        }
    }

    /// <summary>
    /// "The database could not be used (SQLSTATE): message (cause)", the cause only when it adds something
    /// (a socket error says why; a name lookup's message already repeats it). Every verb says it this way.
    /// </summary>
    public static string DatabaseError(NpgsqlException ex)
    {
        var code = ex is PostgresException pg ? $" ({pg.SqlState})" : "";
        var cause = ex.InnerException is { } inner && !ex.Message.Contains(inner.Message, StringComparison.Ordinal) ? $" ({inner.Message})" : "";
        return $"The database could not be used{code}: {ex.Message}{cause}";
    }

    private int VerifyOutcome(MigrationStatusReport report)
    {
        // verify is the gate "the database is exactly this catalog": a script the journal has and the catalog
        // lacks (applied by another build, or with Migrations:AdditionalScriptsPath) fails it too. Only the
        // API's health tolerates those (IsClean), so that a running API stays up while a newer migrator runs.
        var unknown = report.Scripts.Where(s => s.State == ScriptState.Unknown).Select(s => s.Name).ToList();
        if (!report.IsClean || unknown.Count > 0)
        {
            logger.LogError("Verify failed: the database is not exactly the catalog{Unknown}",
                unknown.Count == 0 ? "" : $" (applied, not in the catalog: {string.Join(", ", unknown)}; scripts from an inbox: name it with --inbox PATH)");
            return MigrationOutcome.VerifyFailed;
        }

        if (report.SchemaDrift is not { RecordedAt: not null, Drifted: false })
        {
            logger.LogError("Verify failed: {Problem}", report.SchemaDrift?.RecordedAt is null
                ? "no schema fingerprint is recorded (run `up`)"
                : $"{report.SchemaDrift.Objects.Count} object(s) were added, changed or dropped outside migrations");
            return MigrationOutcome.VerifyFailed;
        }

        return MigrationOutcome.Success;
    }

    private int Report(MigrationOutcome outcome)
    {
        if (!outcome.Succeeded)
        {
            logger.LogError("Migrator failed (exit code {ExitCode}): {Error}", outcome.ExitCode, outcome.Error);
        }

        return outcome.ExitCode;
    }
}
