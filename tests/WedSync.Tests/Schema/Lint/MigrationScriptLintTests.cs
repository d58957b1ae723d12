using WedSync.Migrations.Catalog;
using WedSync.Migrations.Lint;

namespace WedSync.Tests.Schema.Lint;

/// <summary>
/// SCHEMA.md's rules, checked on every script of the catalog without a database. One theory case
/// per script, so a broken rule shows up under the script that broke it, with file and line.
/// </summary>
public sealed class MigrationScriptLintTests
{
    public static TheoryData<string> ScriptNames => new(MigrationScriptFiles.All.Select(script => script.Name));

    [Theory]
    [MemberData(nameof(ScriptNames))]
    public void Script_follows_the_schema_rules(string scriptName)
    {
        var findings = ScriptLinter.SchemaRules.Lint(MigrationScriptFiles.Named(scriptName), MigrationScriptFiles.All);

        Assert.True(findings.Count == 0, $"{findings.Count} schema rule violation(s):\n{string.Join('\n', findings)}");
    }

    [Fact]
    public void Lint_reads_exactly_the_scripts_the_migrator_embeds()
    {
        // Guards the lint itself: a wrong folder or a script left out of the build must not make it pass on nothing.
        var embedded = ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder).Scripts.Select(script => script.Name);

        Assert.NotEmpty(MigrationScriptFiles.All);
        Assert.Equal(embedded, MigrationScriptFiles.All.Select(script => script.Name));
    }
}
