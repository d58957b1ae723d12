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

    /// <summary>Every lock the statement takes on an existing table (the first is <see cref="Table"/>'s): a foreign key's on the table it references too.</summary>
    public IReadOnlyList<PlannedLock> Locks { get; init; } = [];
}

/// <summary>A lock on an existing table with its live size; <see cref="Cause"/> when it is not the statement's own table (a foreign key's referenced table, a partition's parent).</summary>
public sealed record PlannedLock(string Table, string Lock, long? Rows, string? Size, string? Cause);

public sealed record PlannedScript(string Name, IReadOnlyList<PlannedStatement> Statements, IReadOnlyList<LintFinding> Findings);

public sealed record PlannedRequest(string RequestId, IReadOnlyList<PlannedScript> Scripts);

/// <summary>What a plan says about the <c>up</c> it stands for.</summary>
public static class PlanVerdict
{
    /// <summary>The script statements <c>up</c> refuses before anything runs (<see cref="MigratorRefusalRule"/>).</summary>
    public static IReadOnlyList<LintFinding> Refusals(IReadOnlyList<PlannedRequest> plan) =>
        plan.SelectMany(r => r.Scripts).SelectMany(s => s.Findings).Where(f => f.Rule == MigratorRefusalRule.RuleName).ToList();

    /// <summary>Pending scripts with an applied script's text, which <c>up</c> refuses first (exit 3, <see cref="ScriptRenames"/>).</summary>
    public static IReadOnlyList<LintFinding> Renames(IReadOnlyList<PlannedRequest> plan) =>
        plan.SelectMany(r => r.Scripts).SelectMany(s => s.Findings).Where(f => f.Rule == RenamedScript).ToList();

    /// <summary>Applied scripts whose text changed since they ran, which <c>up</c> refuses before anything (exit 3).</summary>
    public static IReadOnlyList<LintFinding> Modified(IReadOnlyList<PlannedRequest> plan) =>
        plan.SelectMany(r => r.Scripts).SelectMany(s => s.Findings).Where(f => f.Rule == ModifiedScript).ToList();

    /// <summary>The finding's rule id of an applied script changed since it ran; not a lint rule: restoring it or <c>repair</c> answers it.</summary>
    public const string ModifiedScript = "modified-script";

    /// <summary>The finding's rule id of a renamed (or copied) applied script; not a lint rule: <c>repair</c> answers it.</summary>
    public const string RenamedScript = "renamed-script";

    /// <summary>
    /// The exit code of <c>plan</c>: up's own 3 when up would refuse a renamed script, its 6 when up would refuse a
    /// statement, 1 for another error finding, else 0 (in up's order).
    /// </summary>
    public static int ExitCode(IReadOnlyList<PlannedRequest> plan) =>
        Modified(plan).Count > 0 || Renames(plan).Count > 0 ? MigrationOutcome.DriftDetected
        : Refusals(plan).Count > 0 ? MigrationOutcome.ScriptRefused
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
        // up refuses these before anything else of the plan (exit 3): the same words, with repair's advice.
        var renames = ScriptRenames.Find(catalog, entries).ToDictionary(r => r.Name, StringComparer.Ordinal);
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

        // A table a pending script creates IF NOT EXISTS that the database has is an existing table to the lock rules.
        var existing = await LiveTables.ExistingAsync(connection, transaction, LiveTables.Questions(files.Where(f => prepared.ContainsKey(f.Name))), cancellationToken);
        files.ForEach(f => _ = prepared.ContainsKey(f.Name) ? f.Knowing(existing) : f.Applied());
        var planned = new Dictionary<string, PlannedScript>(StringComparer.Ordinal);
        foreach (var file in files.Where(f => prepared.ContainsKey(f.Name)))
        {
            var locks = StatementLock.Of(file, files).Where(l => !l.CreatedEarlier).GroupBy(l => l.Statement.Start).ToDictionary(g => g.Key, g => g.ToList());
            var sent = prepared[file.Name].Statements;
            var statements = new List<PlannedStatement>();
            for (var i = 0; i < sent.Count; i++)
            {
                var statement = sent[i];
                // The lint's statements are the same cut of the same text (line endings normalised): the same index.
                var linted = sent.Count == file.Scanned.Count ? file.Scanned[i] : null;
                if (linted is null || !locks.TryGetValue(linted.Start, out var taken))
                {
                    statements.Add(new PlannedStatement(statement.Line, statement.Summary(), null, null, null, null) { Sql = statement.Text });
                    continue;
                }

                var sized = new List<PlannedLock>();
                foreach (var l in taken)
                {
                    var (lockRows, lockSize) = await SizeAsync(connection, transaction, l.Table, cancellationToken);
                    sized.Add(new PlannedLock(l.Table, l.Mode, lockRows, lockSize, l.Cause));
                }

                var first = sized[0];
                statements.Add(new PlannedStatement(statement.Line, statement.Summary(), first.Table, first.Lock, first.Rows, first.Size) { Sql = statement.Text, Locks = sized });
            }

            IReadOnlyList<LintFinding> findings = renames.TryGetValue(file.Name, out var rename)
                ? [new LintFinding(PlanVerdict.RenamedScript, file.Name, 1, 1, LintSeverity.Error, rename.ToString(),
                    "up refuses the run before anything runs (exit 3): it would run an applied script's statements a second time.",
                    rename.AppliedStillInCatalog ? "Make the script's text its own, or remove it." : $"repair {file.Name}"), .. ScriptLinter.AllRules.Lint(file, files)]
                : ScriptLinter.AllRules.Lint(file, files);
            planned[file.Name] = new PlannedScript(file.Name, statements, findings);
        }

        // up refuses a run while an applied script's text differs from what ran (exit 3): plan names each such script too.
        foreach (var changed in status.Scripts.Where(s => s.State == ScriptState.Modified))
        {
            planned[changed.Name] = new PlannedScript(changed.Name, [], [new LintFinding(PlanVerdict.ModifiedScript, changed.Name, 1, 1, LintSeverity.Error,
                $"{changed.Name} was changed since it ran (its checksum is not the journal's): restore the applied text, or run `repair {changed.Name}` to accept the new one.",
                "up refuses the run before anything runs (exit 3): an applied script's text must stay what ran.",
                $"Restore the applied text, or run `repair {changed.Name}` to accept the new one.")]);
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
        if (PlanVerdict.Modified(plan) is { Count: > 0 } modified)
        {
            text.Append("up would refuse this run before anything runs (exit 3): ").Append(modified.Count)
                .Append(" applied script(s) were changed since they ran:\n  ")
                .AppendJoin("\n  ", modified.Select(f => f.Message)).Append('\n');
        }

        if (PlanVerdict.Renames(plan) is { Count: > 0 } renamed)
        {
            text.Append("up would refuse this run before anything runs (exit 3): ").Append(renamed.Count)
                .Append(" pending script(s) have the text of an applied script, so up would run it a second time:\n  ")
                .AppendJoin("\n  ", renamed.Select(f => f.Message)).Append('\n');
        }

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
                    foreach (var l in s.Locks)
                    {
                        text.Append("       lock ").Append(l.Lock).Append(" on ").Append(l.Table)
                            .Append(l.Cause is null ? "" : $" ({l.Cause})").Append(", ")
                            .Append(l.Rows is { } rows ? $"{rows:N0} rows, {l.Size}" : "table not found (created by an earlier pending script?)").Append('\n');
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
                ["locks"] = new JsonArray(st.Locks.Select(l => (JsonNode)new JsonObject
                {
                    ["table"] = l.Table,
                    ["lock"] = l.Lock,
                    ["rows"] = l.Rows,
                    ["size"] = l.Size,
                    ["cause"] = l.Cause,
                }).ToArray()),
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
