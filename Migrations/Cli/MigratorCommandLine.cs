using System.CommandLine;
using WedSync.Migrations.Engine;

namespace WedSync.Migrations.Cli;

/// <summary>
/// The command line, declared once with System.CommandLine: every verb with its options, arguments and help,
/// and the exit codes. <see cref="MigratorCommand.Parse"/> parses with it; <c>--help</c>, the usage line and
/// shell completions (System.CommandLine's <c>[suggest]</c> directive) come from it.
/// </summary>
public static class MigratorCommandLine
{
    public static readonly Option<bool> Json = new("--json") { Description = "Machine-readable output (JSON) on stdout; logs stay on stderr.", Arity = ArgumentArity.Zero };

    public static readonly Option<string> Inbox = new("--inbox")
    {
        Description = "A folder of scripts under review that joins the catalog (R__*.sql files are repeatable): the same as --Migrations:AdditionalScriptsPath=PATH; ~ is the home folder.",
        HelpName = "PATH",
    };

    public static readonly Option<string[]> Allow = new("--allow")
    {
        Description = "Override this lint rule's error findings for this run, journaled with each script applied (repeatable).",
        HelpName = "RULE",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<bool> Sarif = new("--sarif") { Description = "Findings as SARIF 2.1.0 on stdout.", Arity = ArgumentArity.Zero };

    public static readonly Option<bool> Fix = new("--fix") { Description = "Rewrite what the rules can fix safely, never an applied script; shown as diffs.", Arity = ArgumentArity.Zero };

    public static readonly Argument<string[]> Scripts = new("script") { Description = "Scripts whose journal checksum to reset (default: every modified script).", Arity = ArgumentArity.ZeroOrMore };

    public static readonly Argument<string[]> Paths = new("path") { Description = "Script files or folders (default: Migrations/Scripts and Migrations/Repeatable).", Arity = ArgumentArity.ZeroOrMore };

    /// <summary>Every option of the table.</summary>
    public static IReadOnlyList<Option> Options => [Json, Inbox, Allow, Sarif, Fix];

    /// <summary>The verbs: name, what it does, its own options and arguments. The first is the default.</summary>
    public static readonly IReadOnlyList<Command> Verbs =
    [
        Verb("up", "Apply the pending scripts (the default verb), once none has an unaccepted lint error.", Allow),
        Verb("status", "Where every script stands, per request: applied, pending, modified, missing file."),
        Verb("verify", "Whether the database is exactly the catalog: no modified or unknown script, no schema drift."),
        Verb("repair", "Reset the journal checksum of modified scripts (or of those named) to their current text.", Scripts),
        Verb("lint", "What is wrong with each script, at file:line:column with the rule, why and the fix. Reads files only.", Paths, Sarif, Fix),
        Verb("plan", "What up would run: statements, findings and the lock each takes on which table; changes nothing."),
    ];

    /// <summary>The exit codes every verb shares (<see cref="MigrationOutcome"/>).</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> ExitCodes =
    [
        (MigrationOutcome.Success, "success (verify: the database is the catalog)"),
        (MigrationOutcome.ScriptFailed, "a script failed; lint: an error finding; plan: a pending script has one"),
        (MigrationOutcome.UsageError, "bad command line or configuration; lint: a path that cannot be read"),
        (MigrationOutcome.DriftDetected, "the schema drifted from what the migrations made"),
        (MigrationOutcome.VerifyFailed, "verify: modified, missing or unknown scripts, or drift"),
        (MigrationOutcome.LockTimeout, "another migrator held the migration lock too long"),
        (MigrationOutcome.ScriptRefused, "a pending script holds what the migrator cannot run faithfully; nothing ran"),
        (MigrationOutcome.DatabaseUnavailable, "the database cannot be reached, logged into or created"),
        (MigrationOutcome.UnexpectedError, "an unexpected error"),
        (MigrationOutcome.LintRefused, "up: a pending script has an unaccepted lint error; nothing was applied"),
        (MigrationOutcome.LockLost, "the run lost its migration lock and stopped before its next write"),
    ];

    /// <summary>The root command: the verbs, and the options every verb takes.</summary>
    public static readonly RootCommand Root = BuildRoot();

    /// <summary>Parsed as written: no response files (<c>@file</c> is a path), no bundling of short options.</summary>
    public static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    /// <summary>One line: every verb with its synopsis, then the shared options, from the table above.</summary>
    public static string Usage { get; } =
        $"usage: WedSync.Migrations [{string.Join('|', Verbs.Select(Synopsis))}] [--inbox PATH] [--json] [--Key=Value ...] | --help | --version";

    /// <summary>
    /// A System.CommandLine directive first (<c>[suggest:N] "command line"</c>, what shell completion scripts
    /// call): answered by System.CommandLine itself.
    /// </summary>
    public static bool IsDirective(IReadOnlyList<string> args) => args.Count > 0 && args[0].StartsWith('[') && args[0].EndsWith(']');

    /// <summary>Runs a directive (completions) and returns its exit code.</summary>
    public static int RunDirective(IReadOnlyList<string> args, TextWriter output) =>
        Root.Parse(args, Parser).Invoke(new InvocationConfiguration { Output = output });

    /// <summary>The help of a verb (or of the whole command line): the usage line, System.CommandLine's help, the exit codes.</summary>
    public static void WriteHelp(string? verb, TextWriter output)
    {
        output.WriteLine(Usage);
        output.WriteLine();
        // System.CommandLine's own help action (the root's --help option), for the verb or the root.
        Root.Parse(Verbs.Any(v => v.Name == verb) ? [verb!, "--help"] : ["--help"], Parser).Invoke(new InvocationConfiguration { Output = output });
        output.WriteLine("Configuration:");
        output.WriteLine("  --Key=Value   any setting (README \"Configuration\"), e.g. --ConnectionStrings:wedsync=... --Migrations:LockTimeout=00:01:00");
        output.WriteLine();
        output.WriteLine("Exit codes:");
        foreach (var (code, meaning) in ExitCodes)
        {
            output.WriteLine($"  {code,2}  {meaning}");
        }
    }

    private static RootCommand BuildRoot()
    {
        var root = new RootCommand("WedSync's migrator: applies, checks and reports the schema catalog (embedded scripts plus an inbox) with DbUp.");
        // Named as the executable is, not as its name without the last dot-part ("WedSync").
        root.HelpName = "WedSync.Migrations";
        Json.Recursive = true;
        Inbox.Recursive = true;
        root.Add(Json);
        root.Add(Inbox);
        foreach (var verb in Verbs)
        {
            root.Add(verb);
        }

        return root;
    }

    private static Command Verb(string name, string description, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Add(option);
                    break;
                case Argument argument:
                    command.Add(argument);
                    break;
            }
        }

        return command;
    }

    private static string Synopsis(Command verb) => string.Join(' ', new[] { verb.Name }
        .Concat(verb.Arguments.Select(a => $"[{a.Name}...]"))
        .Concat(verb.Options.Select(o => o.Arity.MaximumNumberOfValues == 0 ? $"[{o.Name}]" : $"[{o.Name} {o.HelpName}]...")));
}
