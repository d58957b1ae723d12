using WedSync.Migrations.Catalog;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// Bytes psql would refuse (not UTF-8, UTF-16, a second byte order mark): <c>up</c> and <c>plan</c> refuse the
/// run (exit 6). Found while the file is read (<see cref="ScriptText"/>), not by checking parsed text, so
/// <see cref="Check"/> finds nothing; <c>lint</c> reports it as a finding in every format. Never accepted.
/// </summary>
public sealed class ScriptEncodingRule : ILintRule
{
    public const string RuleName = "script-encoding";

    public static ScriptEncodingRule Instance { get; } = new();

    public string Name => RuleName;

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "psql refuses bytes that are not UTF-8, and so does up (exit 6): a lenient reader would send U+FFFD to the server in their place.";

    public string Remedy => "Save the file as UTF-8 (one byte order mark at most).";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) => [];

    /// <summary>The finding of a file that could not be read as UTF-8, at the line the bad bytes are on.</summary>
    public LintFinding Finding(ScriptEncodingException refused) =>
        new(Name, refused.Script, refused.Line, 1, Severity, refused.Message, Why, Remedy);
}
