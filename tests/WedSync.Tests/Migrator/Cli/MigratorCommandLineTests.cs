using System.Reflection;
using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;

namespace WedSync.Tests.Migrator.Cli;

/// <summary>
/// The command line is one System.CommandLine table (<see cref="MigratorCommandLine"/>): the help, the usage
/// line, completions and the parser all come from it, with every exit code the migrator returns.
/// </summary>
public sealed class MigratorCommandLineTests
{
    [Fact]
    public void Help_shows_every_verb_option_and_exit_code_of_the_table()
    {
        using var output = new StringWriter();

        MigratorCommandLine.WriteHelp(null, output);

        var help = output.ToString();
        Assert.StartsWith(MigratorCommandLine.Usage, help, StringComparison.Ordinal);
        Assert.All(MigratorCommandLine.Verbs, v => Assert.Contains(v.Description!, help, StringComparison.Ordinal));
        Assert.All(new[] { "--inbox", "--json", "--Key=Value" }, o => Assert.Contains(o, help, StringComparison.Ordinal));
        Assert.All(MigratorCommandLine.ExitCodes, c => Assert.Contains($"{c.Code,2}  {c.Meaning}", help, StringComparison.Ordinal));
    }

    [Fact]
    public void A_verbs_help_shows_its_own_options_and_arguments()
    {
        using var output = new StringWriter();

        Assert.True(MigratorCommand.Answers(MigratorCommand.Parse(["lint", "--help"]), output, TextWriter.Null, out var exitCode));

        Assert.Equal(0, exitCode);
        Assert.All(new[] { "--sarif", "--fix", "--inbox", "path" }, o => Assert.Contains(o, output.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain("--allow RULE  ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_exit_code_the_migrator_returns_is_in_the_table_once()
    {
        var codes = typeof(MigrationOutcome).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int)).Select(f => (int)f.GetRawConstantValue()!).Order().ToList();

        Assert.Equal(codes, MigratorCommandLine.ExitCodes.Select(c => c.Code).Order().ToList());
    }

    [Fact]
    public void The_usage_line_names_every_verb_with_its_options_from_the_table()
    {
        Assert.All(MigratorCommandLine.Verbs, v => Assert.Contains(v.Name, MigratorCommandLine.Usage, StringComparison.Ordinal));
        Assert.Contains("up [--allow RULE]...", MigratorCommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("lint [path...] [--sarif] [--fix]", MigratorCommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Completions_come_from_the_table()
    {
        using var output = new StringWriter();

        var exitCode = MigratorCommandLine.RunDirective(["[suggest:2]", "st"], output);

        Assert.Equal(0, exitCode);
        Assert.Contains("status", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lint", "--bogus")]
    [InlineData("up", "--allow", "-x")]
    [InlineData("lint", "--json", "--sarif")]
    [InlineData("status", "--sarif")]
    [InlineData("plan", "@response.rsp")]
    [InlineData("up", "--allow")]
    public void What_the_table_does_not_declare_is_a_usage_error(params string[] args)
    {
        Assert.Null(MigratorCommand.Parse(args));
    }

    [Fact]
    public void Options_and_configuration_mix_in_any_order_and_the_verb_defaults_to_up()
    {
        var command = MigratorCommand.Parse(["--json", "--Migrations:LockTimeout=00:00:05", "--allow=primary-key", "--inbox", "/tmp/in"]);

        Assert.NotNull(command);
        Assert.Equal("up", command.Verb);
        Assert.True(command.Json);
        Assert.Equal(["primary-key"], command.Allow);
        Assert.Equal(["--Migrations:LockTimeout=00:00:05", "--Migrations:AdditionalScriptsPath=/tmp/in"], command.ConfigurationArgs(["--json", "--Migrations:LockTimeout=00:00:05"]));
    }
}
