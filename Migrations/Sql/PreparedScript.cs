using WedSync.Migrations.Catalog;

namespace WedSync.Migrations.Sql;

/// <summary>A script read for running: its statements as psql would send them, its mode and what is wrong with it.</summary>
public sealed record PreparedScript(SqlScript Script, ScriptMode Mode, ScannedScript Scanned, IReadOnlyList<ScriptProblem> Problems)
{
    public string Name => Script.Name;

    /// <summary>The error-level lint rules <c>up --allow</c> overrode for this script; its journal row records them.</summary>
    public IReadOnlyList<string> AllowedLintRules { get; init; } = [];

    public IReadOnlyList<SqlStatement> Statements => Scanned.Statements;

    public static PreparedScript Of(SqlScript script)
    {
        var mode = ScriptModeMarker.Of(script.Contents);
        var scanned = SqlScanner.Scan(script.Contents);
        return new PreparedScript(script, mode, scanned, ScriptRules.Check(script.Name, scanned, mode));
    }
}
