using WedSync.Migrations.Lint;

namespace WedSync.Tests.Schema.Lint;

/// <summary>
/// The schema scripts as files in the checkout, not as embedded resources: a finding must name
/// the file and line a reviewer opens. The repository root is the folder holding the solution,
/// found by walking up from the test assembly.
/// </summary>
public static class MigrationScriptFiles
{
    // The versioned scripts, then the repeatable ones: the catalog's order (repeatable scripts run last).
    private static readonly Lazy<IReadOnlyList<SqlScriptFile>> Loaded = new(() =>
        Directory.GetFiles(ScriptsFolder, "*.sql").Order(StringComparer.Ordinal)
            .Concat(Directory.GetFiles(RepeatableFolder, "*.sql").Order(StringComparer.Ordinal))
            .Select(SqlScriptFile.Load)
            .ToList());

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ScriptsFolder => Path.Combine(RepositoryRoot, "Migrations", "Scripts");

    public static string RepeatableFolder => Path.Combine(RepositoryRoot, "Migrations", "Repeatable");

    public static IReadOnlyList<SqlScriptFile> All => Loaded.Value;

    public static SqlScriptFile Named(string name) => All.Single(script => script.Name == name);

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WedSync.Aspire.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds WedSync.Aspire.sln.");
    }
}
