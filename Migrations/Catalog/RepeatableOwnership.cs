using System.Text.RegularExpressions;
using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Catalog;

/// <summary>
/// An object a repeatable script defines (a function, procedure or view) is changed in that script only:
/// <c>CREATE OR REPLACE</c> there resets what a versioned script's <c>ALTER</c> changed (a function's
/// <c>SET</c> clauses, a view's options) and restates what its <c>CREATE OR REPLACE</c> changed, the next
/// time the repeatable runs. Versioned scripts older than the repeatable stay (they are journaled): a
/// repeatable's introduction is the newest versioned script its leading comment names.
/// </summary>
public static partial class RepeatableOwnership
{
    /// <summary>
    /// The functions, procedures and views a script creates, alters or drops, read with the project's
    /// scanner (<see cref="SqlScanner"/>), named as PostgreSQL resolves them (lower case, <c>public.</c> left out).
    /// </summary>
    public static IReadOnlySet<string> ObjectsTouched(string contents) =>
        SqlScanner.Scan(contents).Statements.Select(Touched).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>The objects a script states with <c>CREATE [OR REPLACE]</c> (a repeatable's own).</summary>
    public static IReadOnlySet<string> ObjectsDefined(string contents) =>
        SqlScanner.Scan(contents).Statements.Where(s => s.StartsWith("create")).Select(Touched).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The newest versioned script a repeatable's leading comment names (its 14-digit prefix): versioned
    /// scripts up to it predate the repeatable; null when the comment names none.
    /// </summary>
    public static string? Introduced(SqlScript repeatable)
    {
        var scanned = SqlScanner.Scan(repeatable.Contents);
        var firstStatement = scanned.Statements.Count > 0 ? scanned.Statements[0].Start : repeatable.Contents.Length;
        var leading = scanned.Comments.TakeWhile(c => c.Start < firstStatement);
        return leading.SelectMany(c => Prefix().Matches(c.Text(repeatable.Contents)).Select(m => m.Value))
            .Order(StringComparer.Ordinal).LastOrDefault();
    }

    /// <summary>
    /// Each versioned script newer than a repeatable's introduction that creates, alters or drops one of the
    /// repeatable's objects, as "script: object (repeatable)". Empty when every such change is in its repeatable.
    /// </summary>
    public static IReadOnlyList<string> Violations(IReadOnlyList<SqlScript> scripts)
    {
        var owned = scripts.Where(s => s.Kind == ScriptKind.Repeatable)
            .Select(r => (Repeatable: r, Since: Introduced(r) ?? "", Objects: ObjectsDefined(r.Contents)))
            .ToList();
        var violations = new List<string>();
        foreach (var script in scripts.Where(s => s.Kind == ScriptKind.Versioned))
        {
            var touched = ObjectsTouched(script.Contents);
            foreach (var (repeatable, since, objects) in owned)
            {
                if (string.CompareOrdinal(script.Name[..Math.Min(script.Name.Length, since.Length)], since) <= 0 && since.Length > 0)
                {
                    continue;
                }

                violations.AddRange(touched.Where(objects.Contains).Order(StringComparer.Ordinal)
                    .Select(o => $"{script.Name}: {o} (change it in {repeatable.Name} instead)"));
            }
        }

        return violations;
    }

    /// <summary>
    /// DbUp runs repeatable scripts by name. A view or a <c>LANGUAGE sql</c> function is checked against the
    /// objects it uses when it is created, so one that uses another repeatable's object must sort after that
    /// repeatable: each one that does not, as "script uses object of other".
    /// </summary>
    public static IReadOnlyList<string> OrderViolations(IReadOnlyList<SqlScript> scripts)
    {
        var repeatables = scripts.Where(s => s.Kind == ScriptKind.Repeatable).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var definedBy = repeatables.SelectMany(r => ObjectsDefined(r.Contents).Select(o => (Object: o, r.Name))).ToList();
        var violations = new List<string>();
        foreach (var script in repeatables)
        {
            var checkedAtCreation = SqlScanner.Scan(script.Contents).Statements
                .Where(s => s.StartsWith("create") && (s.Words.Take(6).Contains("view") || s.ContainsWords("language", "sql")))
                .Select(s => s.Text.ToLowerInvariant())
                .ToList();
            foreach (var (name, owner) in definedBy.Where(d => string.CompareOrdinal(d.Name, script.Name) > 0))
            {
                if (checkedAtCreation.Any(text => Regex.IsMatch(text, $@"(?<![\w.]){Regex.Escape(name)}(?![\w])|\bpublic\.{Regex.Escape(name)}(?![\w])")))
                {
                    violations.Add($"{script.Name} uses {name} of {owner}");
                }
            }
        }

        return violations;
    }

    // CREATE [OR REPLACE] [TEMP] [RECURSIVE|MATERIALIZED] VIEW|FUNCTION|PROCEDURE [IF [NOT] EXISTS] name, and ALTER/DROP alike.
    private static string? Touched(SqlStatement statement)
    {
        if (!(statement.StartsWith("create") || statement.StartsWith("alter") || statement.StartsWith("drop")))
        {
            return null;
        }

        var tokens = statement.Tokens;
        var source = statement.Source;
        var i = 1;
        while (i < tokens.Count && tokens[i].Kind == SqlTokenKind.Word
               && Modifiers.Contains(tokens[i].Text(source), StringComparer.OrdinalIgnoreCase))
        {
            i++;
        }

        if (i >= tokens.Count || tokens[i].Kind != SqlTokenKind.Word
            || !Kinds.Contains(tokens[i].Text(source), StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        i++;
        while (i < tokens.Count && tokens[i].Kind == SqlTokenKind.Word
               && tokens[i].Text(source).ToLowerInvariant() is "if" or "not" or "exists")
        {
            i++;
        }

        var parts = new List<string>();
        while (i < tokens.Count && tokens[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            var text = tokens[i].Text(source);
            parts.Add(tokens[i].Kind == SqlTokenKind.QuotedIdentifier ? text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : text.ToLowerInvariant());
            if (i + 1 < tokens.Count && tokens[i + 1].Kind == SqlTokenKind.Symbol && tokens[i + 1].Text(source) == ".")
            {
                i += 2;
                continue;
            }

            break;
        }

        return parts switch
        {
            [] => null,
            ["public", var name] => name,
            _ => string.Join('.', parts),
        };
    }

    private static readonly string[] Modifiers = ["or", "replace", "temp", "temporary", "recursive", "materialized"];

    private static readonly string[] Kinds = ["function", "procedure", "view"];

    [GeneratedRegex(@"\b\d{14}\b")]
    private static partial Regex Prefix();
}
