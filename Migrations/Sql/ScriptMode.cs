using System.Text.RegularExpressions;

namespace WedSync.Migrations.Sql;

/// <summary>How a script runs: in one transaction with its journal row (the default), or statement by statement.</summary>
public enum ScriptMode
{
    Transactional,

    /// <summary>
    /// Marked <c>-- migrator: no-transaction</c> on its first line: each statement commits on its own
    /// (for statements PostgreSQL refuses inside a transaction block, such as CREATE INDEX CONCURRENTLY),
    /// and the journal row is written after the last one succeeds.
    /// </summary>
    NoTransaction,
}

/// <summary>Reads a script's mode from its first non-blank line.</summary>
public static partial class ScriptModeMarker
{
    public const string NoTransaction = "-- migrator: no-transaction";

    public static ScriptMode Of(string contents)
    {
        foreach (var line in contents.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            return Marker().IsMatch(line) ? ScriptMode.NoTransaction : ScriptMode.Transactional;
        }

        return ScriptMode.Transactional;
    }

    [GeneratedRegex(@"^\s*--\s*migrator\s*:\s*no-transaction\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Marker();
}
