using System.Text.RegularExpressions;
using WedSync.Tests.Schema.Lint;

namespace WedSync.Tests.Foundation;

/// <summary>
/// Issue 26: a test without an assertion passes whatever the product does. Every [Fact] and [Theory] of this
/// project calls an assertion in its own body: xUnit's Assert, or a helper named Assert… (AssertProblemAsync).
/// </summary>
public sealed partial class EveryTestAssertsTests
{
    [Fact]
    public void Every_test_method_calls_an_assertion()
    {
        var tests = Path.Combine(MigrationScriptFiles.RepositoryRoot, "tests", "WedSync.Tests");
        var methods = Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => TestMethods(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(tests, f), m.Name, m.Body)))
            .ToList();

        Assert.True(methods.Count > 400, $"only {methods.Count} test methods found: the scan lost its way");
        Assert.Empty(methods.Where(m => !Assertion().IsMatch(m.Body)).Select(m => $"{m.File}: {m.Name}"));
    }

    [Theory]
    [InlineData("[Fact]\npublic async Task Works() { await Client.GetAsync(\"/\"); }", false)]
    [InlineData("[Fact]\npublic void Works() { // Assert.True(x)\n Run(); }", false)]
    [InlineData("[Fact]\npublic void Works() => Assert.Equal(1, One());", true)]
    [InlineData("[Theory]\n[InlineData(\"[x]\")]\npublic async Task Works(string s) { await response.AssertProblemAsync(400); }", true)]
    public void The_scan_tells_a_test_that_asserts_from_one_that_does_not(string source, bool asserts)
    {
        var method = Assert.Single(TestMethods(source));
        Assert.Equal(asserts, Assertion().IsMatch(method.Body));
    }

    /// <summary>Each test method's name and body (block or expression), comments removed.</summary>
    private static IEnumerable<(string Name, string Body)> TestMethods(string source)
    {
        foreach (Match attribute in TestAttribute().Matches(source))
        {
            var signature = Signature().Match(source, attribute.Index + attribute.Length);
            if (!signature.Success)
            {
                continue;
            }

            var at = ClosingParenthesis(source, signature.Index + signature.Length);
            var rest = source.AsSpan(at).TrimStart();
            var start = source.Length - rest.Length;
            var end = rest.StartsWith("=>") ? source.IndexOf(";\n", start, StringComparison.Ordinal) : ClosingBrace(source, start);
            yield return (signature.Groups["name"].Value, LineComment().Replace(source[start..(end < 0 ? source.Length : end)], ""));
        }
    }

    private static int ClosingParenthesis(string source, int from)
    {
        for (int i = from, depth = 1; i < source.Length; i++)
        {
            depth += source[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return i + 1;
            }
        }

        return source.Length;
    }

    private static int ClosingBrace(string source, int from)
    {
        for (int i = from, depth = 0; i < source.Length; i++)
        {
            depth += source[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0 && source[i] == '}')
            {
                return i;
            }
        }

        return source.Length;
    }

    [GeneratedRegex(@"\[(?:Fact|Theory)\b")]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"\bpublic\s+(?:async\s+)?[\w<>]+\s+(?<name>\w+)\s*\(")]
    private static partial Regex Signature();

    [GeneratedRegex(@"\bAssert\.|\bAssert\w*(?:<[^>]*>)?\(|\.Assert\w*(?:<[^>]*>)?\(")]
    private static partial Regex Assertion();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();
}
