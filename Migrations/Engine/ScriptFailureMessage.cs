using DbUp.Engine;
using Npgsql;

namespace WedSync.Migrations.Engine;

/// <summary>Says which script failed, with PostgreSQL's error code and where in the script.</summary>
public static class ScriptFailureMessage
{
    public static string Describe(SqlScript? script, Exception? error)
    {
        var name = script?.Name ?? "(unknown script)";
        if (error is not PostgresException pg)
        {
            return $"Script {name} failed: {error?.Message ?? "unknown error"}. It was rolled back; the run stopped there.";
        }

        var where = pg.Position > 0 ? $" at position {pg.Position}{LineOf(script, pg)}" : "";
        return $"Script {name} failed with PostgreSQL error {pg.SqlState} ({pg.MessageText}){where}. " +
            "It was rolled back; the run stopped there.";
    }

    // PostgreSQL counts the position within the statement it received; find that statement in the script.
    private static string LineOf(SqlScript? script, PostgresException pg)
    {
        if (script is null)
        {
            return "";
        }

        var statement = pg.BatchCommand?.CommandText;
        var offset = statement is null ? 0 : Math.Max(0, script.Contents.IndexOf(statement, StringComparison.Ordinal));
        var index = Math.Min(script.Contents.Length, offset + pg.Position - 1);
        var line = 1 + script.Contents.AsSpan(0, index).Count('\n');
        return $", line {line}";
    }
}
