using Microsoft.Extensions.Logging.Abstractions;
using WedSync.Migrations;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Engine;

namespace WedSync.Tests.Migrator;

/// <summary>Catalogs and engines for the migrator tests: the real catalog, or the real one changed.</summary>
public static class TestScripts
{
    public static ScriptCatalog RealCatalog => ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder);

    public static ScriptCatalog WithEdited(ScriptCatalog catalog, string scriptName, string appended) =>
        new(catalog.Scripts.Select(s => s.Name == scriptName ? new SqlScript(s.Name, s.Contents + appended) : s).ToList());

    public static ScriptCatalog WithExtra(ScriptCatalog catalog, string name, string contents) =>
        new(catalog.Scripts.Append(new SqlScript(name, contents)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList());

    // The engines here test running scripts, with ad hoc scripts that break house rules on purpose (a table
    // without RLS...); the lint that up runs first has its own tests through the binary (UpLintGateTests).
    public static MigrationEngine Engine(string connectionString, ScriptCatalog? catalog = null, RequestManifest? manifest = null) =>
        new(connectionString, catalog ?? RealCatalog, manifest ?? RequestManifest.Embedded(),
            new MigratorOptions { LockTimeout = TimeSpan.FromSeconds(30) }, NullLoggerFactory.Instance, lintPendingScripts: false);

    /// <summary>A folder holding one extra script file, for the migrator's AdditionalScriptsPath.</summary>
    public static string Folder(string name, string contents) => Folder((name, contents));

    /// <summary>A folder holding several extra script files.</summary>
    public static string Folder(params (string Name, string Contents)[] scripts)
    {
        var folder = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"scripts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        foreach (var (name, contents) in scripts)
        {
            File.WriteAllText(Path.Combine(folder, name), contents);
        }

        return folder;
    }

    /// <summary>An engine over the given scripts only (no embedded catalog), with options to taste.</summary>
    public static MigrationEngine EngineFor(string connectionString, IEnumerable<SqlScript> scripts, MigratorOptions? options = null) =>
        new(connectionString, new ScriptCatalog(scripts.OrderBy(s => s.Name, StringComparer.Ordinal).ToList()), RequestManifest.Embedded(),
            options ?? new MigratorOptions { LockTimeout = TimeSpan.FromSeconds(30) }, NullLoggerFactory.Instance, lintPendingScripts: false);
}
