namespace WedSync.Migrations.Lint;

/// <summary>
/// One rule, checked on one script. <paramref name="catalog"/> is every script of the folder being
/// linted, for the rules whose evidence may live in another script (an index added afterwards).
/// </summary>
public interface ILintRule
{
    /// <summary>Stable id, used by <c>--allow</c>, in SARIF and in the journal.</summary>
    string Name { get; }

    LintSeverity Severity { get; }

    /// <summary>Why a violation matters, in one sentence (the incident it prevents).</summary>
    string Why { get; }

    /// <summary>What to write instead.</summary>
    string Remedy { get; }

    IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog);
}

/// <summary>An error refuses <c>up</c> and makes <c>lint</c> exit 1; a warning is reported only.</summary>
public enum LintSeverity
{
    Warning,
    Error,
}
