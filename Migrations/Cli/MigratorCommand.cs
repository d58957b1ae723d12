using System.Diagnostics.CodeAnalysis;
using WedSync.Migrations.Engine;

namespace WedSync.Migrations.Cli;

/// <summary>
/// A parsed command line: <c>up | status | verify | repair [script...] | lint [path...] | plan</c>, optionally
/// <c>--json</c> and <c>--inbox PATH</c>; lint also takes <c>--sarif</c> and <c>--fix</c>, up takes <c>--allow RULE</c> (repeatable).
/// Configuration is <c>--Key=Value</c> only: any other argument with a '=' in it (a path, a script name) is
/// a word of the command. <c>--help</c>/<c>-h</c> and <c>--version</c> answer whatever else is given.
/// </summary>
public sealed record MigratorCommand(string Verb, IReadOnlyList<string> Scripts, bool Json, bool Sarif = false, bool Fix = false)
{
    public static readonly string[] Verbs = ["up", "status", "verify", "repair", "lint", "plan"];

    public const string Usage = "usage: WedSync.Migrations [up [--allow RULE]...|status|verify|repair [script...]|lint [path...] [--sarif] [--fix]|plan] [--inbox PATH] [--json] [--Key=Value ...] | --help | --version";

    /// <summary>The verb of <c>--help</c>/<c>-h</c>: print <see cref="Usage"/> on stdout, exit 0.</summary>
    public const string HelpVerb = "--help";

    /// <summary>The verb of <c>--version</c>: print <see cref="MigratorVersion.Current"/> on stdout, exit 0.</summary>
    public const string VersionVerb = "--version";

    private const string AllowOption = "--allow";

    private const string InboxOption = "--inbox";

    // The command's own options: "--json=1" is a malformed option, not a configuration key named json.
    private static readonly string[] Options = ["allow", "inbox", "json", "sarif", "fix", "help", "version"];

    /// <summary>Lint rules whose error findings <c>up</c> overrides for this run (<c>--allow RULE</c>, repeatable).</summary>
    public IReadOnlyList<string> Allow { get; init; } = [];

    /// <summary>
    /// <c>--inbox PATH</c>: a folder of scripts that joins the catalog, the same as
    /// <c>--Migrations:AdditionalScriptsPath=PATH</c> (which it overrides); a leading <c>~</c> is the home folder.
    /// </summary>
    public string? Inbox { get; init; }

    /// <summary>The configuration arguments of a command line, with <c>--inbox</c> as the setting it stands for.</summary>
    public IReadOnlyList<string> ConfigurationArgs(IEnumerable<string> args) =>
        [.. args.Where(IsConfiguration), .. Inbox is null ? Array.Empty<string>() : [$"--{MigratorOptions.SectionName}:{nameof(MigratorOptions.AdditionalScriptsPath)}={Inbox}"]];

    /// <summary><c>~</c> and <c>~/...</c> as a shell expands them, for <c>--inbox=~/inbox</c> (which no shell expands).</summary>
    public static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;

    /// <summary>
    /// <c>--Key=Value</c>, the form the README documents, is configuration and is left to the host. Nothing
    /// else is: a path or script name with '=' in it stays a path (Microsoft.Extensions.Configuration.CommandLine
    /// would also read <c>Key=Value</c> and <c>/Key=Value</c>, so <c>/tmp/a=b</c>, as configuration).
    /// </summary>
    public static bool IsConfiguration(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }

        var separator = arg.IndexOf('=', StringComparison.Ordinal);
        return separator > 2 && !Options.Contains(arg[2..separator], StringComparer.Ordinal);
    }

    /// <summary>
    /// Answers what needs no run: a bad command line (<see cref="Usage"/> on stderr, 2), <c>--help</c> (the
    /// usage on stdout, 0) and <c>--version</c> (the version on stdout, 0). False when there is a command to run.
    /// </summary>
    public static bool Answers([NotNullWhen(false)] MigratorCommand? command, TextWriter output, TextWriter errors, out int exitCode)
    {
        switch (command?.Verb)
        {
            case null:
                errors.WriteLine(Usage);
                exitCode = MigrationOutcome.UsageError;
                return true;
            case HelpVerb:
                output.WriteLine(Usage);
                exitCode = MigrationOutcome.Success;
                return true;
            case VersionVerb:
                output.WriteLine(MigratorVersion.Current);
                exitCode = MigrationOutcome.Success;
                return true;
            default:
                exitCode = MigrationOutcome.Success;
                return false;
        }
    }

    public static MigratorCommand? Parse(IEnumerable<string> args)
    {
        var words = args.Where(a => !IsConfiguration(a)).ToList();
        if (words.Contains(HelpVerb) || words.Contains("-h"))
        {
            return new MigratorCommand(HelpVerb, [], Json: false);
        }

        if (words.Contains(VersionVerb))
        {
            return new MigratorCommand(VersionVerb, [], Json: false);
        }

        var allow = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].StartsWith(AllowOption + "=", StringComparison.Ordinal))
            {
                allow.Add(words[i][(AllowOption.Length + 1)..]);
                words.RemoveAt(i--);
            }
            else if (words[i] == AllowOption)
            {
                if (i + 1 >= words.Count || words[i + 1].StartsWith('-'))
                {
                    return null;
                }

                allow.Add(words[i + 1]);
                words.RemoveRange(i--, 2);
            }
        }

        var inboxes = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].StartsWith(InboxOption + "=", StringComparison.Ordinal))
            {
                inboxes.Add(words[i][(InboxOption.Length + 1)..]);
                words.RemoveAt(i--);
            }
            else if (words[i] == InboxOption)
            {
                if (i + 1 >= words.Count || words[i + 1].StartsWith('-'))
                {
                    return null;
                }

                inboxes.Add(words[i + 1]);
                words.RemoveRange(i--, 2);
            }
        }

        if (inboxes.Count > 1 || inboxes.Any(string.IsNullOrWhiteSpace))
        {
            return null;
        }

        var json = words.Remove("--json");
        var sarif = words.Remove("--sarif");
        var fix = words.Remove("--fix");
        if (words.Any(w => w.StartsWith('-')) || allow.Any(string.IsNullOrWhiteSpace))
        {
            return null;
        }

        var verb = words.Count > 0 ? words[0].ToLowerInvariant() : "up";
        if (!Verbs.Contains(verb) || (allow.Count > 0 && verb != "up"))
        {
            return null;
        }

        var scripts = words.Skip(1).ToList();
        if (verb != "lint" && (sarif || fix || (verb != "repair" && scripts.Count > 0)))
        {
            return null;
        }

        return json && sarif ? null : new MigratorCommand(verb, scripts, json, sarif, fix)
        {
            Allow = allow.Distinct(StringComparer.Ordinal).ToList(),
            Inbox = inboxes.Count == 1 ? ExpandHome(inboxes[0]) : null,
        };
    }
}
