using System.Text;
using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint;

/// <summary>
/// The pattern fixes the house rules allow without judgement: <c>uuid_generate_v4()</c> becomes
/// <c>gen_random_uuid()</c> (same type, same randomness), a <c>REFERENCES auth.…</c> clause is dropped
/// so the column stays a plain nullable uuid, and an uncast string-array DEFAULT of a column whose
/// array type is declared right there gets that type as its cast. Matches are found in the
/// comment- and string-masked text, so nothing inside a comment or literal is touched.
/// </summary>
public static partial class LintFixer
{
    /// <summary>One rewrite: the 1-based line it starts on, the lines before and after.</summary>
    public sealed record Change(int Line, string Before, string After);

    /// <summary>The fixed text and each changed line; the text is returned unchanged when nothing applies.</summary>
    public static (string Text, IReadOnlyList<Change> Changes) Fix(SqlScriptFile script)
    {
        var edits = new List<(int Start, int Length, string Replacement)>();
        foreach (Match m in UuidV4().Matches(script.Skeleton))
        {
            edits.Add((m.Index, m.Length, "gen_random_uuid("));
        }

        foreach (Match m in AuthReference().Matches(script.Skeleton))
        {
            edits.Add((m.Index, m.Length, ""));
        }

        foreach (Match m in ArrayDefault().Matches(script.Skeleton))
        {
            var close = SqlSyntax.MatchingParenthesis(script.Skeleton, m.Groups["open"].Index);
            if (close < script.Skeleton.Length && !Regex.IsMatch(script.Skeleton[(close + 1)..], @"^\s*::"))
            {
                edits.Add((close + 1, 0, $"::{m.Groups["type"].Value}[]"));
            }
        }

        if (edits.Count == 0)
        {
            return (script.Text, []);
        }

        var text = new StringBuilder(script.Text);
        foreach (var (start, length, replacement) in edits.OrderByDescending(e => e.Start))
        {
            text.Remove(start, length).Insert(start, replacement);
        }

        var fixedText = text.ToString();
        var before = script.Text.Split('\n');
        var after = fixedText.Split('\n');
        // Every fix keeps the line count (no edit removes or adds a line break), so lines pair up.
        var changes = before.Zip(after).Select((pair, i) => (pair, i))
            .Where(x => x.pair.First != x.pair.Second)
            .Select(x => new Change(x.i + 1, x.pair.First, x.pair.Second))
            .ToList();
        return (fixedText, changes);
    }

    /// <summary>The changes as a unified diff, one hunk per changed line.</summary>
    public static string Diff(string file, IReadOnlyList<Change> changes)
    {
        var diff = new StringBuilder().Append("--- a/").Append(file).Append('\n').Append("+++ b/").Append(file).Append('\n');
        foreach (var change in changes)
        {
            diff.Append("@@ -").Append(change.Line).Append(",1 +").Append(change.Line).Append(",1 @@\n")
                .Append('-').Append(change.Before).Append('\n')
                .Append('+').Append(change.After).Append('\n');
        }

        return diff.ToString().TrimEnd('\n');
    }

    [GeneratedRegex(@"\buuid_generate_v4\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex UuidV4();

    // The clause with its optional column list and referential actions, and the blank before it.
    [GeneratedRegex(@"[ \t]*\bREFERENCES\s+""?auth""?\s*\.\s*""?\w+""?(?:\s*\([^)]*\))?(?:\s+ON\s+(?:DELETE|UPDATE)\s+(?:CASCADE|RESTRICT|NO\s+ACTION|SET\s+NULL|SET\s+DEFAULT))*", RegexOptions.IgnoreCase)]
    private static partial Regex AuthReference();

    // column type[] [NOT NULL] DEFAULT ARRAY[ 'a', ... ] — the declared element type is the cast.
    [GeneratedRegex(@"\b(?<type>(?!text\b)[A-Za-z_][\w.]*)\s*\[\s*\]\s+(?:NOT\s+NULL\s+)?DEFAULT\s+ARRAY\s*(?<open>\[)\s*'[^\]]*\]", RegexOptions.IgnoreCase)]
    private static partial Regex ArrayDefault();
}
