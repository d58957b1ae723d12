using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WedSync.AppHost;

/// <summary>
/// Every migrator verb as a command of the <c>migrations</c> resource (dashboard, <c>aspire resource migrations
/// plan</c>): read-only verbs run at once; <c>up</c> and <c>repair</c> write and first ask for a confirmation
/// naming what will run.
/// </summary>
public static class MigratorVerbCommands
{
    private const string JsonArgument = "json";
    private const string PathArgument = "path";
    private const string ScriptsArgument = "scripts";

    public static IResourceBuilder<ProjectResource> WithMigratorVerbCommands(
        this IResourceBuilder<ProjectResource> migrations, IResourceBuilder<IResourceWithConnectionString> database)
    {
        var pending = new PendingScripts();

        migrations.WithCommand("plan", "Plan pending scripts", context => RunAsync(context, migrations, database, pending, "plan"), new CommandOptions
        {
            Description = "Runs `WedSync.Migrations plan`: each pending script, the locks it takes and its lint findings. Reads only.",
            IconName = "DocumentSearch",
            Arguments = [JsonFlag()],
        });
        migrations.WithCommand("status", "Status", context => RunAsync(context, migrations, database, pending, "status"), new CommandOptions
        {
            Description = "Runs `WedSync.Migrations status`: each request complete, pending, modified or missing file.",
            IconName = "TableSearch",
            Arguments = [JsonFlag()],
        });
        migrations.WithCommand("verify", "Verify", context => RunAsync(context, migrations, database, pending, "verify"), new CommandOptions
        {
            Description = "Runs `WedSync.Migrations verify`: the journal against the scripts and the live schema against its fingerprint.",
            IconName = "ShieldCheckmark",
            Arguments = [JsonFlag()],
        });
        migrations.WithCommand("lint", "Lint scripts", context => RunAsync(context, migrations, database, pending, "lint"), new CommandOptions
        {
            Description = "Runs `WedSync.Migrations lint [path]`: the migrator's scripts, or the given file or folder (absolute path).",
            IconName = "CheckmarkStarburst",
            Arguments =
            [
                new InteractionInput { Name = PathArgument, Label = "Path", InputType = InputType.Text, Required = false, Placeholder = "the migrator's scripts" },
                JsonFlag(),
            ],
        });
        migrations.WithCommand("up", "Apply pending scripts", context => ConfirmThenRunAsync(context, migrations, database, pending, "up"), new CommandOptions
        {
            Description = "Runs `WedSync.Migrations up` after a confirmation showing its plan; disabled when nothing is pending.",
            IconName = "ArrowUpload",
            // Nothing is pending after the migrator's own successful run, until a status or plan shows otherwise.
            UpdateState = context => pending.NothingPending(context.ResourceSnapshot) ? ResourceCommandState.Disabled : ResourceCommandState.Enabled,
        });
        migrations.WithCommand("repair", "Repair journal", context => ConfirmThenRunAsync(context, migrations, database, pending, "repair"), new CommandOptions
        {
            Description = "Runs `WedSync.Migrations repair [script...]` after a confirmation: re-records the checksums of modified scripts.",
            IconName = "Wrench",
            Arguments =
            [
                new InteractionInput { Name = ScriptsArgument, Label = "Scripts", InputType = InputType.Text, Required = false, Placeholder = "every modified script" },
            ],
        });
        return migrations;
    }

    private static InteractionInput JsonFlag() =>
        new() { Name = JsonArgument, Label = "JSON", InputType = InputType.Boolean, Required = false };

    private static async Task<ExecuteCommandResult> RunAsync(
        ExecuteCommandContext context, IResourceBuilder<ProjectResource> migrations,
        IResourceBuilder<IResourceWithConnectionString> database, PendingScripts pending, string verb)
    {
        var arguments = Arguments(context, verb);
        var run = await MigratorRun.StartAsync(migrations, database, arguments, context.CancellationToken);
        Log(context, migrations, verb, run);
        if (verb is "plan" or "status")
        {
            await pending.LearnAsync(context.Services, migrations.Resource, verb, run);
        }

        if (verb != "lint")
        {
            // Someone looked at the database: the schema verdict under migrations looks again too.
            migrations.Resource.RecheckSchema();
        }

        return Result(verb, arguments, run);
    }

    private static async Task<ExecuteCommandResult> ConfirmThenRunAsync(
        ExecuteCommandContext context, IResourceBuilder<ProjectResource> migrations,
        IResourceBuilder<IResourceWithConnectionString> database, PendingScripts pending, string verb)
    {
        var arguments = Arguments(context, verb);
        var interactions = context.Services.GetRequiredService<IInteractionService>();
        if (!interactions.IsAvailable)
        {
            // A write without a person to confirm it does not run.
            return CommandResults.Failure($"`{verb}` needs a confirmation and no dashboard or CLI is there to ask; run `WedSync.Migrations {verb}` instead.");
        }

        // The confirmation names what will run: up's plan (scripts, locks, findings), repair's current status.
        var preview = await MigratorRun.StartAsync(migrations, database, [verb == "up" ? "plan" : "status"], context.CancellationToken);
        var confirmed = await interactions.PromptConfirmationAsync(
            $"Run `{string.Join(' ', arguments)}` against {database.Resource.Name}?",
            preview.Output.Trim(),
            new MessageBoxInteractionOptions { EnableMessageMarkdown = false, PrimaryButtonText = verb == "up" ? "Apply" : "Repair" },
            context.CancellationToken);
        if (confirmed.Canceled || !confirmed.Data)
        {
            return CommandResults.Canceled();
        }

        var run = await MigratorRun.StartAsync(migrations, database, arguments, context.CancellationToken);
        Log(context, migrations, verb, run);
        migrations.Resource.RecheckSchema();
        if (verb == "up" && run.Succeeded)
        {
            await pending.LearnAsync(context.Services, migrations.Resource, "plan", new MigratorRun(0, "[]", ""));
        }

        return Result(verb, arguments, run);
    }

    private static List<string> Arguments(ExecuteCommandContext context, string verb)
    {
        var arguments = new List<string> { verb };
        var given = context.Arguments;
        if (given.TryGetByName(PathArgument, out var path) && !string.IsNullOrWhiteSpace(path.Value))
        {
            arguments.Add(path.Value.Trim());
        }

        if (given.TryGetByName(ScriptsArgument, out var scripts) && !string.IsNullOrWhiteSpace(scripts.Value))
        {
            arguments.AddRange(scripts.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (given.TryGetByName(JsonArgument, out var json) && bool.TryParse(json.Value, out var asJson) && asJson)
        {
            arguments.Add("--json");
        }

        return arguments;
    }

    private static void Log(ExecuteCommandContext context, IResourceBuilder<ProjectResource> migrations, string verb, MigratorRun run)
    {
        var logger = context.Services.GetRequiredService<ResourceLoggerService>().GetLogger(migrations.Resource);
        foreach (var line in run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            logger.LogInformation("{Verb}: {Line}", verb, line.TrimEnd());
        }

        logger.LogInformation("{Verb} exited with {ExitCode}", verb, run.ExitCode);
    }

    private static ExecuteCommandResult Result(string verb, List<string> arguments, MigratorRun run)
    {
        var format = arguments.Contains("--json") ? CommandResultFormat.Json : CommandResultFormat.Text;
        var text = run.Output.Trim();
        // A non-zero exit is the verb's verdict (lint errors, drift): the result still carries its full report.
        return run.Succeeded
            ? CommandResults.Success($"{verb} succeeded", text, format)
            : CommandResults.Failure($"{verb} exited with {run.ExitCode}: {run.Errors.Trim()}", text.Length > 0 ? text : run.Errors.Trim(), format);
    }
}
