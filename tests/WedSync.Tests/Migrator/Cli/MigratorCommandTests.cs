using WedSync.Migrations;
using WedSync.Migrations.Cli;

namespace WedSync.Tests.Migrator.Cli;

/// <summary>
/// The migrator's command line: <c>--Key=Value</c> is configuration and nothing else is (a path or script
/// name with '=' in it is a word of the command), and <c>--help</c>/<c>--version</c> answer on stdout with 0.
/// </summary>
public sealed class MigratorCommandTests
{
    [Theory]
    [InlineData("--Migrations:AdditionalScriptsPath=/tmp/scripts")]
    [InlineData("--Migrations:AdditionalScriptsPath=/tmp/a=b")]
    [InlineData("--ConnectionStrings:wedsync=Host=db;Database=wedsync;Username=u;Password=p")]
    [InlineData("--Migrations:LockTimeout=00:00:01")]
    public void Double_dash_key_equals_value_is_configuration(string arg)
    {
        Assert.True(MigratorCommand.IsConfiguration(arg));
        Assert.Equal(new[] { "status" }, Words(MigratorCommand.Parse(["status", arg])));
    }

    [Theory]
    [InlineData("/tmp/x/eq=dir")]
    [InlineData("eq=dir")]
    [InlineData("./a=b/20990101000000_x.sql")]
    [InlineData("Migrations:LockTimeout=00:00:01")]
    [InlineData("--=x")]
    [InlineData("--allow=lock-timeout-missing")]
    [InlineData("--json=true")]
    public void Anything_else_with_an_equals_sign_is_not_configuration(string arg)
    {
        Assert.False(MigratorCommand.IsConfiguration(arg));
    }

    [Theory]
    [InlineData("/tmp/x/eq=dir")]
    [InlineData("eq=dir")]
    [InlineData("/tmp/a b/c=d/20990101000000_x=y.sql")]
    public void A_lint_path_with_an_equals_sign_is_a_path(string path)
    {
        var command = MigratorCommand.Parse(["lint", path, "--Migrations:AdditionalScriptsPath=/elsewhere"]);

        Assert.NotNull(command);
        Assert.Equal("lint", command.Verb);
        Assert.Equal(new[] { path }, command.Scripts);
    }

    [Fact]
    public void A_repair_script_name_with_an_equals_sign_is_a_script()
    {
        Assert.Equal(new[] { "20990101000000_a=b.sql" }, MigratorCommand.Parse(["repair", "20990101000000_a=b.sql"])?.Scripts);
    }

    [Fact]
    public void Allow_keeps_both_of_its_forms_next_to_configuration()
    {
        var command = MigratorCommand.Parse(["up", "--Migrations:AdditionalScriptsPath=/tmp/s", "--allow", "primary-key", "--allow=lock-timeout-missing"]);

        Assert.NotNull(command);
        Assert.Equal("up", command.Verb);
        Assert.Empty(command.Scripts);
        Assert.Equal(new[] { "primary-key", "lock-timeout-missing" }, command.Allow);
    }

    [Theory]
    [InlineData("up", "Migrations:LockTimeout=00:00:01")]
    [InlineData("status", "/tmp/x=y")]
    [InlineData("lint", "--json=true")]
    [InlineData("lint", "--fix=yes")]
    public void A_word_with_an_equals_sign_where_no_word_is_taken_is_a_usage_error(params string[] args)
    {
        Assert.Null(MigratorCommand.Parse(args));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("lint", "--help")]
    [InlineData("no-such-verb", "-h")]
    public void Help_is_a_command_of_its_own(params string[] args)
    {
        Assert.Equal(MigratorCommand.HelpVerb, MigratorCommand.Parse(args)?.Verb);
    }

    [Theory]
    [InlineData("--help", 0, "usage: WedSync.Migrations")]
    [InlineData("-h", 0, "usage: WedSync.Migrations")]
    [InlineData("--version", 0, "")]
    public async Task Help_and_version_print_on_stdout_and_exit_0(string arg, int expected, string text)
    {
        var (exitCode, stdout, output) = await MigratorProcess.RunCapturingStdoutAsync("", arg);

        Assert.True(exitCode == expected, output);
        Assert.Contains(text.Length > 0 ? text : MigratorVersion.Current, stdout);
        Assert.Equal(stdout, output);
    }

    [Fact]
    public async Task A_bad_command_line_prints_the_usage_on_stderr_and_exits_2()
    {
        var (exitCode, stdout, output) = await MigratorProcess.RunCapturingStdoutAsync("", "migrate-everything");

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("usage: WedSync.Migrations", output);
    }

    private static IReadOnlyList<string>? Words(MigratorCommand? command) => command is null ? null : [command.Verb, .. command.Scripts];
}
