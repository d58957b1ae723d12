namespace WedSync.Migrations.Cli;

/// <summary>
/// A parsed command line: <c>up | status | verify | repair [script...] | lint [path...]</c>, optionally
/// <c>--json</c>; lint also takes <c>--sarif</c> and <c>--fix</c>.
/// </summary>
public sealed record MigratorCommand(string Verb, IReadOnlyList<string> Scripts, bool Json, bool Sarif = false, bool Fix = false)
{
    public static readonly string[] Verbs = ["up", "status", "verify", "repair", "lint", "plan"];

    public const string Usage = "usage: WedSync.Migrations [up|status|verify|repair [script...]|lint [path...] [--sarif] [--fix]|plan] [--json] [--Key=Value ...]";

    /// <summary>Arguments of the form Key=Value are configuration and are left to the host.</summary>
    public static bool IsConfiguration(string arg) => arg.Contains('=', StringComparison.Ordinal);

    public static MigratorCommand? Parse(IEnumerable<string> args)
    {
        var words = args.Where(a => !IsConfiguration(a)).ToList();
        var json = words.Remove("--json");
        var sarif = words.Remove("--sarif");
        var fix = words.Remove("--fix");
        if (words.Any(w => w.StartsWith('-')))
        {
            return null;
        }

        var verb = words.Count > 0 ? words[0].ToLowerInvariant() : "up";
        if (!Verbs.Contains(verb))
        {
            return null;
        }

        var scripts = words.Skip(1).ToList();
        if (verb != "lint" && (sarif || fix || (verb != "repair" && scripts.Count > 0)))
        {
            return null;
        }

        return json && sarif ? null : new MigratorCommand(verb, scripts, json, sarif, fix);
    }
}
