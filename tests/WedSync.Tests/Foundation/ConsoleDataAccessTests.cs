using System.Text.RegularExpressions;
using WedSync.Tests.Schema.Lint;

namespace WedSync.Tests.Foundation;

/// <summary>
/// Issue 26: a console page reads through the feature's data class (TablesData, RlsData, ImpactData, ...), the
/// same code its endpoint calls, never through an endpoint or a connection of its own.
/// </summary>
public sealed partial class ConsoleDataAccessTests
{
    // Another engineer's page this session; the console's own table (signed-out sessions) is the console's data.
    private static readonly string[] Exempt = ["Referrals.razor", "ConsoleSessionRevocation.cs"];

    [Fact]
    public void Console_code_reaches_no_endpoint_and_no_data_source_of_its_own()
    {
        var console = Path.Combine(MigrationScriptFiles.RepositoryRoot, "Api", "OperatorConsole");
        var files = Directory.EnumerateFiles(console, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !Exempt.Contains(Path.GetFileName(f)))
            .ToList();
        Assert.Contains(files, f => f.EndsWith("TablesAndRls.razor", StringComparison.Ordinal));

        var offenders = files
            .SelectMany(f => DataAccess().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetRelativePath(console, f)}: {m.Value}"))
            .ToList();
        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("tables = await Tables.Endpoint.ReadAsync(Console.Tenant, request, ct);", true)]
    [InlineData("@inject NpgsqlDataSource DataSource", true)]
    [InlineData("await using var command = DataSource.CreateCommand(Sql);", true)]
    [InlineData("tables = await Tables.TablesData.ReadAsync(Console.Tenant, request, ct);", false)]
    public void The_rule_finds_an_endpoint_read_and_a_connection(string line, bool found) =>
        Assert.Equal(found, DataAccess().IsMatch(line));

    [GeneratedRegex(@"\bEndpoint\.ReadAsync\b|\bNpgsqlDataSource\b|\bDataSource\.(?:CreateCommand|OpenConnection)")]
    private static partial Regex DataAccess();
}
