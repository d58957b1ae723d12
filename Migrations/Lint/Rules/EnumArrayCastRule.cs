using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// Enum arrays are written with an explicit cast: <c>ARRAY['email','sms']::review_channel[]</c>.
/// Uncast, the constructor is text[], which an enum-array column refuses in some contexts
/// (operators, function arguments, UNION branches) and accepts in others, so a script that works
/// in a DEFAULT breaks when the same literal moves into a CHECK or a query.
/// The heuristic, kept simple on purpose: a script can't tell from the text which column a literal
/// meets, so every ARRAY[...] whose elements are all string literals must be followed by a
/// <c>::type[]</c> cast, text[] literals included (the cast costs nothing and documents the type).
/// Array constructors with any non-literal element, and '{...}' array strings, are not checked.
/// </summary>
public sealed partial class EnumArrayCastRule : ILintRule
{
    public string Name => "enum-array-cast";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "Uncast, ARRAY['a','b'] is text[]; an enum-array column accepts it in a DEFAULT but an operator, function argument or UNION branch refuses it.";

    public string Remedy => "Write ARRAY['a','b']::<enum type>[].";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        foreach (Match constructor in ConstructorPattern().Matches(script.Skeleton))
        {
            var open = constructor.Index + constructor.Length - 1;
            var close = SqlSyntax.MatchingParenthesis(script.Skeleton, open);
            if (close >= script.Code.Length)
            {
                continue;
            }

            var elements = script.Code[(open + 1)..close];
            if (!StringLiteralsPattern().IsMatch(elements))
            {
                continue;
            }

            if (!ArrayCastPattern().IsMatch(script.Skeleton[(close + 1)..]))
            {
                yield return script.Finding(this, constructor.Index,
                    $"ARRAY[{elements.Trim()}] has no explicit cast; write ARRAY[...]::<enum type>[]");
            }
        }
    }

    [GeneratedRegex(@"\bARRAY\s*\[", RegexOptions.IgnoreCase)]
    private static partial Regex ConstructorPattern();

    [GeneratedRegex(@"^\s*'(?:[^']|'')*'(?:\s*,\s*'(?:[^']|'')*')*\s*$")]
    private static partial Regex StringLiteralsPattern();

    [GeneratedRegex("""^\s*::\s*(?:"[^"]+"|[\w.]+)(?:\s*\.\s*(?:"[^"]+"|\w+))?\s*\[\s*\]""")]
    private static partial Regex ArrayCastPattern();
}
