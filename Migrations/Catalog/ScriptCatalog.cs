using System.Reflection;
using DbUp.Engine;
using DbUp.Engine.Transactions;

namespace WedSync.Migrations.Catalog;

/// <summary>
/// The scripts to apply, named by file name and sorted ordinally (DbUp's own order), as discovered from
/// DbUp script providers (<see cref="Providers"/>): the embedded scripts and, when configured, a folder's.
/// </summary>
public sealed class ScriptCatalog
{
    public const string SchemaFolder = "Scripts";

    /// <summary>Repeatable scripts (Flyway's R__): run after every versioned script, again whenever their text changes.</summary>
    public const string RepeatableFolder = "Repeatable";

    public const string DemoDataFolder = "DevData";

    public ScriptCatalog(IReadOnlyList<SqlScript> scripts)
        : this(scripts, null)
    {
    }

    private ScriptCatalog(IReadOnlyList<SqlScript> scripts, IReadOnlyList<IScriptProvider>? providers)
    {
        Scripts = scripts;
        Providers = providers ?? [new StaticCatalogScriptProvider(scripts)];
    }

    public IReadOnlyList<SqlScript> Scripts { get; }

    /// <summary>The DbUp script providers these scripts come from, for an <c>UpgradeEngine</c> to discover them again.</summary>
    public IReadOnlyList<IScriptProvider> Providers { get; }

    public SqlScript? Find(string name) => Scripts.FirstOrDefault(s => s.Name == name);

    /// <summary>
    /// The scripts embedded under a folder. The schema's (<see cref="SchemaFolder"/>) are its versioned scripts
    /// and its repeatable ones (<see cref="RepeatableFolder"/>): one catalog, as up, status and the API read it.
    /// </summary>
    public static ScriptCatalog Embedded(string folder, Assembly? assembly = null)
    {
        CatalogScriptProvider[] providers = folder == SchemaFolder
            ? [new EmbeddedScriptProvider(folder, ScriptKind.Versioned, assembly), new EmbeddedScriptProvider(RepeatableFolder, ScriptKind.Repeatable, assembly)]
            : [new EmbeddedScriptProvider(folder, ScriptKind.Versioned, assembly)];
        return new ScriptCatalog(Sorted(providers.SelectMany(p => p.Scripts)), providers);
    }

    /// <summary>The embedded schema scripts plus, when configured, the .sql files of a folder on disk.</summary>
    public static ScriptCatalog ForSchema(string? additionalScriptsPath)
    {
        var embedded = Embedded(SchemaFolder);
        if (string.IsNullOrWhiteSpace(additionalScriptsPath))
        {
            return embedded;
        }

        var folder = new FolderScriptProvider(additionalScriptsPath);
        // A script is its name in the journal: an extra file named as an embedded script would be two
        // scripts under one name, one of them never applied.
        var clashes = folder.Scripts.Select(s => s.Name).Intersect(embedded.Scripts.Select(s => s.Name), StringComparer.Ordinal).ToList();
        if (clashes.Count > 0)
        {
            throw new MigratorConfigurationException(
                $"Migrations:AdditionalScriptsPath ({additionalScriptsPath}) holds scripts named as embedded ones: {string.Join(", ", clashes)}. Give them names of their own.");
        }

        return new ScriptCatalog(Sorted(embedded.Scripts.Concat(folder.Scripts)), [.. embedded.Providers, folder]);
    }

    /// <summary>
    /// The scripts an upgrade's providers discover (the catalog's own and any a DbUp user added), in DbUp's
    /// order: by run group, then by name. Two scripts under one name would be one journal row for two texts: refused.
    /// </summary>
    public static ScriptCatalog Discover(IReadOnlyList<IScriptProvider> providers, IConnectionManager connectionManager)
    {
        var scripts = providers.SelectMany(p => p is CatalogScriptProvider own ? own.Scripts : p.GetScripts(connectionManager).Select(CatalogScriptProvider.FromDbUp)).ToList();
        var duplicates = scripts.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new MigratorConfigurationException($"Two script providers give scripts of the same name: {string.Join(", ", duplicates)}. Give them names of their own.");
        }

        return new ScriptCatalog(Sorted(scripts), providers);
    }

    private static List<SqlScript> Sorted(IEnumerable<SqlScript> scripts) =>
        scripts.OrderBy(script => script.Kind == ScriptKind.Repeatable ? 1 : 0).ThenBy(script => script.Name, StringComparer.Ordinal).ToList();
}
