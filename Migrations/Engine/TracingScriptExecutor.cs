using System.Diagnostics;
using DbUp.Engine;
using Npgsql;

namespace WedSync.Migrations.Engine;

/// <summary>Wraps DbUp's executor so every script is a span, a duration and a count.</summary>
internal sealed class TracingScriptExecutor(IScriptExecutor inner) : IScriptExecutor
{
    public int? ExecutionTimeoutSeconds
    {
        get => inner.ExecutionTimeoutSeconds;
        set => inner.ExecutionTimeoutSeconds = value;
    }

    public void Execute(SqlScript script) => Execute(script, null);

    public void Execute(SqlScript script, IDictionary<string, string>? variables)
    {
        using var activity = MigrationTelemetry.Source.StartActivity($"migrate {script.Name}");
        activity?.SetTag("wedsync.migration.script", script.Name);
        var started = Stopwatch.GetTimestamp();
        var outcome = "applied";
        try
        {
            inner.Execute(script, variables);
        }
        catch (Exception ex)
        {
            outcome = "failed";
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.AddException(ex);
            if (ex is PostgresException pg)
            {
                activity?.SetTag("db.response.status_code", pg.SqlState);
            }

            MigrationTelemetry.ScriptsFailed.Add(1, new KeyValuePair<string, object?>("script", script.Name));
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            activity?.SetTag("wedsync.migration.outcome", outcome);
            MigrationTelemetry.ScriptDuration.Record(elapsed,
                new KeyValuePair<string, object?>("script", script.Name),
                new KeyValuePair<string, object?>("outcome", outcome));
        }

        MigrationTelemetry.ScriptsApplied.Add(1, new KeyValuePair<string, object?>("script", script.Name));
    }

    public void VerifySchema() => inner.VerifySchema();
}
