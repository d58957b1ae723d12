using System.Reflection;

namespace WedSync.Migrations.Catalog;

/// <summary>The scripts to apply, named by file name and sorted ordinally (DbUp's own order).</summary>
public sealed class ScriptCatalog(IReadOnlyList<SqlScript> scripts)
{
    public const string SchemaFolder = "Scripts";
    public const string DemoDataFolder = "DevData";

    public IReadOnlyList<SqlScript> Scripts { get; } = scripts;

    public SqlScript? Find(string name) => Scripts.FirstOrDefault(s => s.Name == name);

    public static ScriptCatalog Embedded(string folder, Assembly? assembly = null)
    {
        assembly ??= typeof(ScriptCatalog).Assembly;
        var prefix = $"{assembly.GetName().Name}.{folder}.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => new SqlScript(name[prefix.Length..], Read(assembly, name)));
        return Sorted(scripts);
    }

    /// <summary>The embedded schema scripts plus, when configured, the .sql files of a folder on disk.</summary>
    public static ScriptCatalog ForSchema(string? additionalScriptsPath)
    {
        var embedded = Embedded(SchemaFolder).Scripts;
        if (string.IsNullOrWhiteSpace(additionalScriptsPath))
        {
            return new ScriptCatalog(embedded);
        }

        // A folder that is not there (a typo, a volume not mounted) is a configuration error (exit 2) that
        // names the setting, never an unexpected error with a stack trace, in every verb that reads the catalog.
        try
        {
            var extra = Directory.GetFiles(additionalScriptsPath, "*.sql")
                .Select(path => new SqlScript(Path.GetFileName(path), ScriptText.ReadFile(path, Path.GetFileName(path))))
                .ToList();
            // A script is its name in the journal: an extra file named as an embedded script would be two
            // scripts under one name, one of them never applied.
            var clashes = extra.Select(s => s.Name).Intersect(embedded.Select(s => s.Name), StringComparer.Ordinal).ToList();
            if (clashes.Count > 0)
            {
                throw new MigratorConfigurationException(
                    $"Migrations:AdditionalScriptsPath ({additionalScriptsPath}) holds scripts named as embedded ones: {string.Join(", ", clashes)}. Give them names of their own.");
            }

            return Sorted(embedded.Concat(extra));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MigratorConfigurationException(
                $"Migrations:AdditionalScriptsPath ({additionalScriptsPath}) cannot be read: {ex.Message}");
        }
    }

    private static ScriptCatalog Sorted(IEnumerable<SqlScript> scripts) =>
        new(scripts.OrderBy(script => script.Name, StringComparer.Ordinal).ToList());

    private static string Read(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded script {resourceName} vanished.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return ScriptText.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), resourceName);
    }
}
