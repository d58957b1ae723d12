using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace WedSync.Tests.Contract;

/// <summary>
/// No test reaches the API around the contract check: every HttpClient of the tests comes from
/// <see cref="ApiClients"/>. A client built any other way would make its answers unchecked, silently.
/// </summary>
public sealed partial class ContractCoverageTests
{
    /// <summary>The fixture asks Aspire for the API's address with a throwaway client, then uses <see cref="ApiClients"/>.</summary>
    // OutgoingUrlRedactionTests posts to a webhook receiver, not to the API: the span of that request is its subject.
    private static readonly string[] Allowed =
    [
        "using var discovered = App.CreateHttpClient(\"api\");",
        "using var toReceiver = new HttpClient();",
    ];

    [Fact]
    public void Every_client_of_the_tests_validates_against_the_document()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(SourceFile())!)!;
        var contract = Path.Combine(root, "Contract") + Path.DirectorySeparatorChar;
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.StartsWith(contract, StringComparison.Ordinal) && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line: line.Trim(), number: index + 1)))
            .Where(x => ClientConstruction().IsMatch(x.line) && !Allowed.Contains(x.line))
            .Select(x => $"{Path.GetRelativePath(root, x.file)}:{x.number}: {x.line}")
            .ToList();
        Assert.True(offenders.Count == 0,
            "Make API clients with WedSync.Tests.Contract.ApiClients.Create(baseAddress) so their answers are checked against /openapi/v1.json:\n"
            + string.Join("\n", offenders));
    }

    private static string SourceFile([CallerFilePath] string path = "") => path;

    [GeneratedRegex(@"new\s+HttpClient\s*\(|new\s+HttpClient\s*\{|CreateHttpClient\s*\(|new\s+(HttpClientHandler|SocketsHttpHandler)\b|HttpClient\s+\w+\s*=\s*new\s*\(")]
    private static partial Regex ClientConstruction();
}
