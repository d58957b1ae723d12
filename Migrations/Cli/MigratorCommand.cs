using System.Diagnostics.CodeAnalysis;
using WedSync.Migrations.Engine;

namespace WedSync.Migrations.Cli;

/// <summary>
/// A parsed command line, as <see cref="MigratorCommandLine"/> declares it: <c>up | status | verify | repair
/// [script...] | lint [path...] | plan</c>, with <c>--json</c> and <c>--inbox PATH</c>; lint also takes
/// <c>--sarif</c> and <c>--fix</c>, up takes <c>--allow RULE</c> (repeatable). Configuration is <c>--Key=Value</c>
/// only: any other argument with a '=' in it (a path, a script name) is a word of the command.
/// <c>--help</c>/<c>-h</c> and <c>--version</c> answer whatever else is given.
/// </summary>
public sealed record MigratorCommand(string Verb, IReadOnlyList<string> Scripts, bool Json, bool Sarif = false, bool Fix = false)
{
    public static IReadOnlyList<string> Verbs { get; } = MigratorCommandLine.Verbs.Select(v => v.Name).ToList();

    public static string Usage => MigratorCommandLine.Usage;

    /// <summary>The verb of <c>--help</c>/<c>-h</c>: the help (of the verb in <see cref="Scripts"/>, if any) on stdout, exit 0.</summary>
    public const string HelpVerb = "--help";

    /// <summary>The verb of <c>--version</c>: print <see cref="MigratorVersion.Current"/> on stdout, exit 0.</summary>
    public const string VersionVerb = "--version";

    // The table's flags: "--json=1" is a malformed option, not a configuration key named json.
    private static readonly string[] Flags =
        [.. MigratorCommandLine.Options.Where(o => o.Arity.MaximumNumberOfValues == 0).Select(o => o.Name[2..]), "help", "version"];

    // Every option of the table: "--allow=x" and "--inbox=x" are options, never configuration.
    private static readonly string[] Options = [.. MigratorCommandLine.Options.Select(o => o.Name[2..]), "help", "version"];

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
    /// help on stdout, 0) and <c>--version</c> (the version on stdout, 0). False when there is a command to run.
    /// </summary>
    public static bool Answers([NotNullWhen(false)] MigratorCommand? command, TextWriter output, TextWriter errors, out int exitCode)
    {
        switch (command?.Verb)
        {
            case null:
                errors.WriteLine(Usage);
                errors.WriteLine("(--help for the verbs, their options and the exit codes)");
                exitCode = MigrationOutcome.UsageError;
                return true;
            case HelpVerb:
                MigratorCommandLine.WriteHelp(command.Scripts.FirstOrDefault(), output);
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

    /// <summary>The command, or null for a command line the table does not accept (a usage error).</summary>
    public static MigratorCommand? Parse(IEnumerable<string> args)
    {
        var words = args.Where(a => !IsConfiguration(a)).ToList();
        var verbGiven = words.Count > 0 && Verbs.Contains(words[0].ToLowerInvariant());
        if (words.Contains(HelpVerb) || words.Contains("-h"))
        {
            return new MigratorCommand(HelpVerb, verbGiven ? [words[0].ToLowerInvariant()] : [], Json: false);
        }

        if (words.Contains(VersionVerb))
        {
            return new MigratorCommand(VersionVerb, [], Json: false);
        }

        // A flag with a value ("--json=true") is malformed, not the flag.
        if (words.Any(w => Flags.Any(f => w.StartsWith($"--{f}=", StringComparison.Ordinal))))
        {
            return null;
        }

        // The verb is case-insensitive, and up when none is given.
        words = verbGiven ? [words[0].ToLowerInvariant(), .. words.Skip(1)] : ["up", .. words];
        var result = MigratorCommandLine.Root.Parse(words, MigratorCommandLine.Parser);
        if (result.Errors.Count > 0)
        {
            return null;
        }

        var verb = result.CommandResult.Command.Name;
        var allow = result.GetValue(MigratorCommandLine.Allow) ?? [];
        var inbox = result.GetValue(MigratorCommandLine.Inbox);
        IReadOnlyList<string> scripts = verb switch
        {
            "repair" => result.GetValue(MigratorCommandLine.Scripts) ?? [],
            "lint" => result.GetValue(MigratorCommandLine.Paths) ?? [],
            _ => [],
        };
        var json = result.GetValue(MigratorCommandLine.Json);
        var sarif = verb == "lint" && result.GetValue(MigratorCommandLine.Sarif);

        // An unknown option reaches an argument as a word: refused, as is an option's value that is an option.
        if (scripts.Any(w => w.StartsWith('-')) || allow.Any(a => string.IsNullOrWhiteSpace(a) || a.StartsWith('-'))
            || inbox is not null && (string.IsNullOrWhiteSpace(inbox) || inbox.StartsWith('-')) || (json && sarif))
        {
            return null;
        }

        return new MigratorCommand(verb, scripts, json, sarif, verb == "lint" && result.GetValue(MigratorCommandLine.Fix))
        {
            Allow = allow.Distinct(StringComparer.Ordinal).ToList(),
            Inbox = inbox is null ? null : ExpandHome(inbox),
        };
    }
}
