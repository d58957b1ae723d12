using DbUp.Engine;
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

    public static MigrationEngine Engine(string connectionString, ScriptCatalog? catalog = null, RequestManifest? manifest = null) =>
        new(connectionString, catalog ?? RealCatalog, manifest ?? RequestManifest.Embedded(),
            new MigratorOptions { LockTimeout = TimeSpan.FromSeconds(30) }, NullLoggerFactory.Instance);

    /// <summary>A folder holding one extra script file, for the migrator's AdditionalScriptsPath.</summary>
    public static string Folder(string name, string contents)
    {
        var folder = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"scripts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), contents);
        return folder;
    }
}
