using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Engine;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Lint;
using WedSync.Migrations.Lint.Rules;
using WedSync.Migrations.Status;

namespace WedSync.Migrations.Plan;

/// <summary>
/// One statement of the plan: where it is, its text exactly as <c>up</c> would send it, and the lock it takes
/// on an existing table with that table's live size.
/// </summary>
public sealed record PlannedStatement(int Line, string Summary, string? Table, string? Lock, long? Rows, string? Size)
{
    public string Sql { get; init; } = Summary;
}

public sealed record PlannedScript(string Name, IReadOnlyList<PlannedStatement> Statements, IReadOnlyList<LintFinding> Findings);

public sealed record PlannedRequest(string RequestId, IReadOnlyList<PlannedScript> Scripts);

/// <summary>What a plan says about the <c>up</c> it stands for.</summary>
public static class PlanVerdict
{
    /// <summary>The script statements <c>up</c> refuses before anything runs (<see cref="MigratorRefusalRule"/>).</summary>
    public static IReadOnlyList<LintFinding> Refusals(IReadOnlyList<PlannedRequest> plan) =>
        plan.SelectMany(r => r.Scripts).SelectMany(s => s.Findings).Where(f => f.Rule == MigratorRefusalRule.RuleName).ToList();

    /// <summary>The exit code of <c>plan</c>: up's own 6 when up would refuse the run, 1 for another error finding, else 0.</summary>
    public static int ExitCode(IReadOnlyList<PlannedRequest> plan) =>
        Refusals(plan).Count > 0 ? MigrationOutcome.ScriptRefused
        : plan.Any(r => r.Scripts.Any(s => s.Findings.Any(f => f.Severity == LintSeverity.Error))) ? 1
        : MigrationOutcome.Success;
}

/// <summary>
/// <c>plan</c>: what <c>up</c> would do, without doing it: the statements exactly as up would send them, and
/// the refusals and lint findings of up's own gate. Reads the journal and the catalog tables'
/// statistics (pg_class.reltuples, pg_total_relation_size) in a read-only transaction that is rolled
/// back, so the database is left exactly as it was.
/// </summary>
public static class MigrationPlanner
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<IReadOnlyList<PlannedRequest>> PlanAsync(string connectionString, ScriptCatalog catalog, RequestManifest manifest, CancellationToken cancellationToken)
    {
        await using var dataSource = MigratorDataSource.Create(connectionString);
        return await PlanAsync(dataSource, catalog, manifest, cancellationToken);
    }

    /// <summary>
    /// The same plan over a data source the caller owns (the API's console page runs it in-process,
    /// as GET /api/migrations reads the report): one connection, in a read-only transaction rolled back.
    /// </summary>
    public static async Task<IReadOnlyList<PlannedRequest>> PlanAsync(NpgsqlDataSource dataSource, ScriptCatalog catalog, RequestManifest manifest, CancellationToken cancellationToken)
    {
        var entries = await new JournalStore(dataSource, NullLogger.Instance).ReadAsync(cancellationToken);
        var status = MigrationStatusCalculator.Calculate(catalog, manifest, entries);
        var pending = status.Scripts.Where(s => s.State == ScriptState.Pending).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        // The statements are up's own (PreparedScript, from the text as read); the lint has the whole catalog as
        // evidence and the refusals of ScriptRules, as up's gate has: plan cannot pass what up refuses.
        var files = catalog.Scripts.Select(s => SqlScriptFile.Parse(s.Name, s.Contents)).ToList();
        var prepared = catalog.Scripts.Where(s => pending.Contains(s.Name)).ToDictionary(s => s.Name, Sql.PreparedScript.Of, StringComparer.Ordinal);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(cancellationToken);
        }

        var planned = new Dictionary<string, PlannedScript>(StringComparer.Ordinal);
        foreach (var file in files.Where(f => prepared.ContainsKey(f.Name)))
        {
            var locks = StatementLock.Of(file).Where(l => !l.CreatedEarlier).ToDictionary(l => l.Statement.Start);
            var sent = prepared[file.Name].Statements;
            var statements = new List<PlannedStatement>();
            for (var i = 0; i < sent.Count; i++)
            {
                var statement = sent[i];
                // The lint's statements are the same cut of the same text (line endings normalised): the same index.
                var linted = sent.Count == file.Scanned.Count ? file.Scanned[i] : null;
                if (linted is null || !locks.TryGetValue(linted.Start, out var l))
                {
                    statements.Add(new PlannedStatement(statement.Line, statement.Summary(), null, null, null, null) { Sql = statement.Text });
                    continue;
                }

                var (rows, size) = await SizeAsync(connection, transaction, l.Table, cancellationToken);
                statements.Add(new PlannedStatement(statement.Line, statement.Summary(), l.Table, l.Mode, rows, size) { Sql = statement.Text });
            }

            planned[file.Name] = new PlannedScript(file.Name, statements, ScriptLinter.AllRules.Lint(file, files));
        }

        await transaction.RollbackAsync(cancellationToken);
        var byRequest = manifest.Requests
            .Select(r => new PlannedRequest(r.Key, r.Value.Where(planned.ContainsKey).Select(n => planned[n]).ToList()))
            .Where(r => r.Scripts.Count > 0)
            .ToList();
        var registered = manifest.Requests.Values.SelectMany(v => v).ToHashSet(StringComparer.Ordinal);
        var unregistered = planned.Values.Where(p => !registered.Contains(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        return unregistered.Count == 0 ? byRequest : [.. byRequest, new PlannedRequest("(no request)", unregistered)];
    }

    public static string Text(IReadOnlyList<PlannedRequest> plan)
    {
        if (plan.Count == 0)
        {
            return "No pending scripts.";
        }

        var text = new StringBuilder();
        if (PlanVerdict.Refusals(plan) is { Count: > 0 } refusals)
        {
            text.Append("up would refuse this run before anything runs (exit 6), for ").Append(refusals.Count)
                .Append(" statement(s) marked [").Append(MigratorRefusalRule.RuleName).Append("] below; nothing would be applied.\n");
        }

        foreach (var request in plan)
        {
            text.Append("Request ").Append(request.RequestId).Append('\n');
            foreach (var script in request.Scripts)
            {
                text.Append("  ").Append(script.Name).Append('\n');
                foreach (var s in script.Statements)
                {
                    text.Append("    ").Append(s.Line).Append(": ").Append(s.Summary).Append('\n');
                    if (s.Lock is not null)
                    {
                        text.Append("       lock ").Append(s.Lock).Append(" on ").Append(s.Table).Append(", ")
                            .Append(s.Rows is { } rows ? $"{rows:N0} rows, {s.Size}" : "table not found (created by an earlier pending script?)").Append('\n');
                    }
                }

                foreach (var finding in script.Findings)
                {
                    text.Append("    ").Append(finding).Append('\n');
                }
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    // Built as JSON nodes, not by reflection over anonymous types: the published migrator is compiled ahead of time.
    public static string Json(IReadOnlyList<PlannedRequest> plan) => new JsonArray(plan.Select(r => (JsonNode)new JsonObject
    {
        ["request"] = r.RequestId,
        ["scripts"] = new JsonArray(r.Scripts.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["statements"] = new JsonArray(s.Statements.Select(st => (JsonNode)new JsonObject
            {
                ["line"] = st.Line,
                ["statement"] = st.Summary,
                ["sql"] = st.Sql,
                ["table"] = st.Table,
                ["lock"] = st.Lock,
                ["rows"] = st.Rows,
                ["size"] = st.Size,
            }).ToArray()),
            ["findings"] = new JsonArray(s.Findings.Select(f => (JsonNode)new JsonObject
            {
                ["line"] = f.Line,
                ["column"] = f.Column,
                ["rule"] = f.Rule,
                ["severity"] = f.Severity == LintSeverity.Error ? "error" : "warning",
                ["message"] = f.Message,
            }).ToArray()),
        }).ToArray()),
    }).ToArray()).ToJsonString(Indented);

    // reltuples is the planner's estimate (-1 before the first ANALYZE: then counted as 0).
    private static async Task<(long? Rows, string? Size)> SizeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT greatest(c.reltuples, 0)::bigint, pg_size_pretty(pg_total_relation_size(c.oid))
            FROM pg_class c WHERE c.oid = to_regclass($1)
            """, connection, transaction);
        command.Parameters.AddWithValue(table);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetString(1)) : (null, null);
    }
}
