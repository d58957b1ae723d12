using System.Reflection;
using DbUp.Engine;
using DbUp.Engine.Transactions;
using DbUp.Support;

namespace WedSync.Migrations.Catalog;

/// <summary>
/// The catalog's scripts as DbUp script providers: DbUp's <c>UpgradeEngine</c> discovers them as it discovers
/// any provider's. Read once, strictly (<see cref="ScriptText"/>: what psql would refuse is refused, no
/// lenient decoder), and never preprocessed: the text run is the text checksummed.
/// </summary>
public abstract class CatalogScriptProvider : IScriptProvider
{
    private IReadOnlyList<SqlScript>? scripts;

    /// <summary>The provider's scripts in the project's form (read on first use, then kept).</summary>
    public IReadOnlyList<SqlScript> Scripts => scripts ??= Read();

    public IEnumerable<DbUp.Engine.SqlScript> GetScripts(IConnectionManager connectionManager) => Scripts.Select(ToDbUp);

    protected abstract IReadOnlyList<SqlScript> Read();

    /// <summary>A versioned script runs once; DbUp's run groups order every versioned script before any repeatable one.</summary>
    public static DbUp.Engine.SqlScript ToDbUp(SqlScript script) => new(script.Name, script.Contents, new SqlScriptOptions
    {
        ScriptType = script.Kind == ScriptKind.Versioned ? ScriptType.RunOnce : ScriptType.RunAlways,
        RunGroupOrder = script.Kind == ScriptKind.Versioned ? VersionedRunGroup : RepeatableRunGroup,
    });

    /// <summary>A script any DbUp provider gave, in the project's form: a run-always script DbUp's way runs on every up.</summary>
    public static SqlScript FromDbUp(DbUp.Engine.SqlScript script) => script.SqlScriptOptions.ScriptType == ScriptType.RunAlways
        ? new SqlScript(script.Name, script.Contents, script.SqlScriptOptions.RunGroupOrder == RepeatableRunGroup ? ScriptKind.Repeatable : ScriptKind.RunAlways)
        : new SqlScript(script.Name, script.Contents);

    /// <summary>DbUp's default run group (<c>DbUpDefaults.DefaultRunGroupOrder</c>, 100): versioned scripts and any provider's run-once scripts.</summary>
    public const int VersionedRunGroup = 100;

    /// <summary>The run group of repeatable scripts: after every versioned script (DbUp's sorter orders by group, then name).</summary>
    public const int RepeatableRunGroup = VersionedRunGroup + 1;
}

/// <summary>The scripts embedded in an assembly under one folder, named by file name.</summary>
public sealed class EmbeddedScriptProvider(string folder, ScriptKind kind = ScriptKind.Versioned, Assembly? assembly = null) : CatalogScriptProvider
{
    protected override IReadOnlyList<SqlScript> Read()
    {
        var source = assembly ?? typeof(EmbeddedScriptProvider).Assembly;
        var prefix = $"{source.GetName().Name}.{folder}.";
        return source.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => new SqlScript(name[prefix.Length..], ReadResource(source, name), kind))
            .ToList();
    }

    private static string ReadResource(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded script {resourceName} vanished.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return ScriptText.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), resourceName);
    }
}

/// <summary>
/// The .sql files of a folder on disk (Migrations:AdditionalScriptsPath, <c>--inbox</c>), named by file name:
/// <c>R__*.sql</c> files are repeatable scripts, the others versioned.
/// </summary>
public sealed class FolderScriptProvider(string path) : CatalogScriptProvider
{
    protected override IReadOnlyList<SqlScript> Read()
    {
        // A folder that is not there (a typo, a volume not mounted) is a configuration error (exit 2) that
        // names the setting, never an unexpected error with a stack trace, in every verb that reads the catalog.
        try
        {
            return Directory.GetFiles(path, "*.sql")
                .Select(file => new SqlScript(Path.GetFileName(file), ScriptText.ReadFile(file, Path.GetFileName(file)), KindOf(Path.GetFileName(file))))
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MigratorConfigurationException($"Migrations:AdditionalScriptsPath ({path}) cannot be read: {ex.Message}");
        }
    }

    /// <summary>The folder's own repeatable scripts are named as Flyway names them: <c>R__name.sql</c>.</summary>
    public const string RepeatablePrefix = "R__";

    /// <summary>A file named <c>R__...</c> is repeatable, with the embedded Repeatable folder's semantics; any other is versioned.</summary>
    public static ScriptKind KindOf(string fileName) =>
        fileName.StartsWith(RepeatablePrefix, StringComparison.Ordinal) ? ScriptKind.Repeatable : ScriptKind.Versioned;
}

/// <summary>Scripts given as they are (a test's, or a catalog built in code).</summary>
public sealed class StaticCatalogScriptProvider(IReadOnlyList<SqlScript> given) : CatalogScriptProvider
{
    protected override IReadOnlyList<SqlScript> Read() => given;
}
