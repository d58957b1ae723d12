using System.Reflection;
using DbUp.Engine;

namespace WedSync.Migrations;

/// <summary>The SQL scripts embedded in this assembly, named by file name and sorted ordinally.</summary>
public sealed class ScriptCatalog(IReadOnlyList<SqlScript> scripts)
{
    public const string SchemaFolder = "Scripts";
    public const string DemoDataFolder = "DevData";

    public IReadOnlyList<SqlScript> Scripts { get; } = scripts;

    public static ScriptCatalog Embedded(string folder, Assembly? assembly = null)
    {
        assembly ??= typeof(ScriptCatalog).Assembly;
        var prefix = $"{assembly.GetName().Name}.{folder}.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => new SqlScript(name[prefix.Length..], Read(assembly, name)))
            .OrderBy(script => script.Name, StringComparer.Ordinal)
            .ToList();
        return new ScriptCatalog(scripts);
    }

    private static string Read(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded script {resourceName} vanished.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
