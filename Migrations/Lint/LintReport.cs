using System.Text.Json;
using System.Text.Json.Nodes;

namespace WedSync.Migrations.Lint;

/// <summary>The three output formats of <c>lint</c>: text for people, JSON for scripts, SARIF 2.1.0 for code-review tools.</summary>
public static class LintReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary><c>file:line:column: severity [rule] message</c>, then why and remedy, one finding per block.</summary>
    public static string Text(IReadOnlyList<LintFinding> findings, int files)
    {
        var lines = findings.SelectMany(f => new[] { f.ToString(), $"    why: {f.Why}", $"    fix: {f.Remedy}" }).ToList();
        var errors = findings.Count(f => f.Severity == LintSeverity.Error);
        lines.Add($"{files} file(s) linted: {errors} error(s), {findings.Count - errors} warning(s)");
        return string.Join('\n', lines);
    }

    public static string Json(IReadOnlyList<LintFinding> findings) =>
        new JsonArray(findings.Select(f => (JsonNode)new JsonObject
        {
            ["file"] = f.File,
            ["line"] = f.Line,
            ["column"] = f.Column,
            ["rule"] = f.Rule,
            ["severity"] = f.Severity == LintSeverity.Error ? "error" : "warning",
            ["message"] = f.Message,
            ["why"] = f.Why,
            ["remedy"] = f.Remedy,
        }).ToArray()).ToJsonString(Indented);

    /// <summary>
    /// A SARIF 2.1.0 log (OASIS standard): one run, the rules as <c>tool.driver.rules</c> with why as
    /// full description and remedy as help, each finding a result with a physical location whose
    /// uri is the file as given on the command line, as a URI reference (<see cref="SarifUri"/>).
    /// </summary>
    public static string Sarif(IReadOnlyList<LintFinding> findings, IReadOnlyList<ILintRule> rules)
    {
        var index = rules.Select((rule, i) => (rule.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var driver = new JsonObject
        {
            ["name"] = "WedSync.Migrations lint",
            ["version"] = MigratorVersion.Current,
            ["rules"] = new JsonArray(rules.Select(rule => (JsonNode)new JsonObject
            {
                ["id"] = rule.Name,
                ["shortDescription"] = new JsonObject { ["text"] = rule.Name },
                ["fullDescription"] = new JsonObject { ["text"] = rule.Why },
                ["help"] = new JsonObject { ["text"] = rule.Remedy },
                ["defaultConfiguration"] = new JsonObject { ["level"] = Level(rule.Severity) },
            }).ToArray()),
        };
        var results = findings.Select(f => (JsonNode)new JsonObject
        {
            ["ruleId"] = f.Rule,
            ["ruleIndex"] = index[f.Rule],
            ["level"] = Level(f.Severity),
            ["message"] = new JsonObject { ["text"] = $"{f.Message}. {f.Why} {f.Remedy}" },
            ["locations"] = new JsonArray(new JsonObject
            {
                ["physicalLocation"] = new JsonObject
                {
                    ["artifactLocation"] = new JsonObject { ["uri"] = SarifUri(f.File) },
                    ["region"] = new JsonObject { ["startLine"] = f.Line, ["startColumn"] = f.Column },
                },
            }),
        }).ToArray();
        return new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject { ["driver"] = driver },
                ["results"] = new JsonArray(results),
            }),
        }.ToJsonString(Indented);
    }

    /// <summary>
    /// The file as SARIF's <c>artifactLocation.uri</c> needs it, a valid URI reference (SARIF 2.1.0 §3.4.3):
    /// a relative path percent-encoded segment by segment (so a space, '#' or '%' in a name is part of the
    /// path, not a fragment or an escape), an absolute one as a <c>file://</c> URI encoded the same way.
    /// </summary>
    public static string SarifUri(string file)
    {
        var absolute = Path.IsPathFullyQualified(file);
        var segments = file.Replace(Path.DirectorySeparatorChar, '/').Split('/');
        var encoded = string.Join('/', segments.Select((segment, i) =>
            absolute && i == 0 && IsDrive(segment) ? segment : Uri.EscapeDataString(segment)));
        if (!absolute)
        {
            return encoded;
        }

        // /tmp/a → file:///tmp/a; C:/a → file:///C:/a; //server/share/a (UNC) → file://server/share/a.
        return encoded.StartsWith("//", StringComparison.Ordinal) ? "file:" + encoded
            : encoded.StartsWith('/') ? "file://" + encoded
            : "file:///" + encoded;
    }

    private static bool IsDrive(string segment) =>
        OperatingSystem.IsWindows() && segment.Length == 2 && char.IsAsciiLetter(segment[0]) && segment[1] == ':';

    private static string Level(LintSeverity severity) => severity == LintSeverity.Error ? "error" : "warning";
}
