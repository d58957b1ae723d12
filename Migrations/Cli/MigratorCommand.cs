namespace WedSync.Migrations.Cli;

/// <summary>A parsed command line: <c>up | status | verify | repair [script...]</c>, optionally <c>--json</c>.</summary>
public sealed record MigratorCommand(string Verb, IReadOnlyList<string> Scripts, bool Json)
{
    public static readonly string[] Verbs = ["up", "status", "verify", "repair"];

    public const string Usage = "usage: WedSync.Migrations [up|status|verify|repair [script...]] [--json] [--Key=Value ...]";

    /// <summary>Arguments of the form Key=Value are configuration and are left to the host.</summary>
    public static bool IsConfiguration(string arg) => arg.Contains('=', StringComparison.Ordinal);

    public static MigratorCommand? Parse(IEnumerable<string> args)
    {
        var words = args.Where(a => !IsConfiguration(a)).ToList();
        var json = words.Remove("--json");
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
        return verb != "repair" && scripts.Count > 0 ? null : new MigratorCommand(verb, scripts, json);
    }
}
