using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using WedSync.Migrations.Lint;
using WedSync.Migrations.Lint.Rules;
using WedSync.Tests.Schema.Lint;

namespace WedSync.Tests.Migrator.Lint;

/// <summary>
/// <c>lint</c> through the real migrator binary: every rule reported at its line and column in all
/// three formats, SARIF valid against the OASIS SARIF 2.1.0 schema, the exit codes, and --fix
/// rewriting pending scripts only.
/// </summary>
public sealed class LintCommandTests : IDisposable
{
    // (rule, line, column) each violation must be reported at; the scripts are in LintFolder.
    private static readonly (string File, string Rule, int Line, int Column)[] Expected =
    [
        ("house", "gen-random-uuid", 2, 33),
        ("house", "no-auth-foreign-key", 3, 19),
        ("house", "foreign-key-index", 4, 35),
        ("house", "enum-array-cast", 5, 39),
        ("house", "wrapped-helper-call", 10, 30),
        ("house", "primary-key", 11, 28),
        ("house", "row-level-security", 11, 28),
        ("house", "migrator-refuses", 12, 1),
        ("house", "lock-if-not-exists", 1, 28),
        ("locks", "lock-index-not-concurrent", 1, 1),
        ("locks", "lock-timeout-missing", 1, 1),
        ("locks", "lock-constraint-not-valid", 2, 23),
        ("locks", "lock-volatile-default", 3, 29),
        ("locks", "lock-type-rewrite", 4, 29),
        ("locks", "lock-constraint-not-valid", 5, 29),
        ("locks", "lock-volatile-default", 6, 23),
        ("locks", "migrator-refuses", 7, 1),
    ];

    // Built once: it is large.
    private static readonly Lazy<JsonSchema> Sarif = new(BuildSarifSchema);

    private readonly LintFolder folder = new();

    [Fact]
    public void Every_rule_has_an_example_in_the_violations_folder()
    {
        Assert.Equal(ScriptLinter.AllRules.Rules.Select(r => r.Name).Order(), Expected.Select(e => e.Rule).Distinct().Order());
    }

    [Fact]
    public async Task Text_output_names_file_line_column_rule_why_and_remedy()
    {
        var (exitCode, stdout, _) = await Lint(folder.Violations);

        Assert.Equal(1, exitCode);
        foreach (var (file, rule, line, column) in Expected)
        {
            var severity = rule == "lock-if-not-exists" ? "warning" : "error";
            Assert.Contains($"{Path.Combine(folder.Violations, FileName(file))}:{line}:{column}: {severity} [{rule}]", stdout);
        }

        var rule0 = new IndexNotConcurrentRule();
        Assert.Contains($"    why: {rule0.Why}", stdout);
        Assert.Contains($"    fix: {rule0.Remedy}", stdout);
    }

    [Fact]
    public async Task Json_output_lists_every_finding_with_its_location()
    {
        var (exitCode, stdout, _) = await Lint(folder.Violations, "--json");

        Assert.Equal(1, exitCode);
        var findings = JsonNode.Parse(stdout)!.AsArray()
            .Select(f => (File: Path.GetFileName(f!["file"]!.GetValue<string>()), Rule: f["rule"]!.GetValue<string>(), Line: f["line"]!.GetValue<int>(), Column: f["column"]!.GetValue<int>()))
            .ToList();
        foreach (var (file, rule, line, column) in Expected)
        {
            Assert.Contains((FileName(file), rule, line, column), findings);
        }
    }

    [Fact]
    public async Task Sarif_output_validates_against_the_SARIF_2_1_0_schema_and_locates_every_finding()
    {
        var (exitCode, stdout, _) = await Lint(folder.Violations, "--sarif");

        Assert.Equal(1, exitCode);
        var result = SarifSchema().Evaluate(JsonDocument.Parse(stdout).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join('\n', (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        var results = JsonNode.Parse(stdout)!["runs"]![0]!["results"]!.AsArray().Select(r =>
        {
            var location = r!["locations"]![0]!["physicalLocation"]!;
            return (Path.GetFileName(location["artifactLocation"]!["uri"]!.GetValue<string>()), r["ruleId"]!.GetValue<string>(),
                location["region"]!["startLine"]!.GetValue<int>(), location["region"]!["startColumn"]!.GetValue<int>());
        }).ToList();
        foreach (var (file, rule, line, column) in Expected)
        {
            Assert.Contains((FileName(file), rule, line, column), results);
        }
    }

    // Issue 23, kind 3: a file psql refuses is a finding in the machine formats too (file, line, rule), beside the
    // other files' findings, exit 1 as in text; never plain text on stdout that breaks the JSON or the SARIF log.
    [Theory]
    [InlineData("--json")]
    [InlineData("--sarif")]
    public async Task Scripts_psql_refuses_are_findings_in_json_and_sarif_with_the_exit_code_of_text(string format)
    {
        var bad = Path.Combine(folder.Root, "encodings");
        Directory.CreateDirectory(bad);
        File.WriteAllBytes(Path.Combine(bad, "20990101000000_cp1252.sql"), [.. "SELECT 1;\nSELECT 'caf"u8, 0xE9, .. "';\n"u8]);
        File.WriteAllBytes(Path.Combine(bad, "20990101000001_utf16.sql"), [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes("SELECT 1;\n")]);
        File.WriteAllBytes(Path.Combine(bad, "20990101000002_two_boms.sql"), [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. "SELECT 1;\n"u8]);
        File.Copy(Path.Combine(folder.Violations, FileName("locks")), Path.Combine(bad, FileName("locks")));

        var (exitCode, stdout, output) = await Lint(bad, format);

        Assert.True(exitCode == 1, output);
        var root = JsonNode.Parse(stdout)!;
        var findings = format == "--json"
            ? root.AsArray().Select(f => (File: Path.GetFileName(f!["file"]!.GetValue<string>()), Rule: f["rule"]!.GetValue<string>(), Line: f["line"]!.GetValue<int>(), Message: f["message"]!.GetValue<string>())).ToList()
            : root["runs"]![0]!["results"]!.AsArray().Select(r =>
            {
                var location = r!["locations"]![0]!["physicalLocation"]!;
                return (File: Path.GetFileName(location["artifactLocation"]!["uri"]!.GetValue<string>()), Rule: r["ruleId"]!.GetValue<string>(),
                    Line: location["region"]!["startLine"]!.GetValue<int>(), Message: r["message"]!["text"]!.GetValue<string>());
            }).ToList();
        if (format == "--sarif")
        {
            var result = SarifSchema().Evaluate(JsonDocument.Parse(stdout).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, string.Join('\n', (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        }

        Assert.Contains(findings, f => f is { File: "20990101000000_cp1252.sql", Rule: ScriptEncodingRule.RuleName, Line: 2 } && f.Message.Contains("0xE9", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { File: "20990101000001_utf16.sql", Rule: ScriptEncodingRule.RuleName, Line: 1 } && f.Message.Contains("UTF-16", StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { File: "20990101000002_two_boms.sql", Rule: ScriptEncodingRule.RuleName, Line: 1 } && f.Message.Contains("second byte order mark", StringComparison.Ordinal));
        // The readable file is linted as ever.
        Assert.Contains(findings, f => f is { Rule: "lock-volatile-default", Line: 3 });
    }

    [Fact]
    public void The_schema_check_can_fail()
    {
        // A SARIF log without the required version must be refused, or the test above proves nothing.
        var result = SarifSchema().Evaluate(JsonDocument.Parse("""{"runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{}}]}]}""").RootElement);
        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task Compliant_forms_lint_clean_and_a_missing_path_is_a_usage_error()
    {
        var (clean, stdout, _) = await Lint(folder.Clean);
        Assert.True(clean == 0, stdout);
        Assert.Contains("2 file(s) linted: 0 error(s)", stdout);

        var (missing, _, output) = await Lint(Path.Combine(folder.Root, "nowhere"));
        Assert.Equal(2, missing);
        Assert.Contains("no such file or folder", output);
    }

    [Fact]
    public async Task A_path_with_an_equals_sign_is_linted_not_taken_for_configuration()
    {
        var equals = Path.Combine(folder.Root, "eq=dir");
        Directory.CreateDirectory(equals);
        var script = Path.Combine(equals, FileName("house"));
        File.Copy(folder.HouseFile, script);

        var (exitCode, stdout, output) = await Lint(equals);

        Assert.True(exitCode == 1, output);
        Assert.Contains($"{script}:2:33: error [gen-random-uuid]", stdout);
        Assert.Contains("1 file(s) linted", stdout);
    }

    [Fact]
    public async Task Fix_rewrites_the_house_patterns_and_shows_each_change_as_a_diff()
    {
        var (exitCode, stdout, _) = await Lint(folder.HouseFile, "--fix");

        var text = await File.ReadAllTextAsync(folder.HouseFile);
        Assert.DoesNotContain("uuid_generate_v4", text);
        Assert.Contains("id uuid PRIMARY KEY DEFAULT gen_random_uuid(),", text);
        Assert.Contains("    owner_id uuid,", text);
        Assert.Contains("DEFAULT ARRAY['email', 'sms']::review_channel[]", text);
        Assert.Contains("-    id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),", stdout);
        Assert.Contains("+    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),", stdout);
        Assert.Contains("@@ -3,1 +3,1 @@", stdout);

        // What --fix can't decide (a missing primary key, RLS) is still reported, and fails the run.
        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("[gen-random-uuid]", stdout);
        Assert.DoesNotContain("[no-auth-foreign-key]", stdout);
        Assert.DoesNotContain("[enum-array-cast]", stdout);
        Assert.Contains("[primary-key]", stdout);
    }

    [Fact]
    public async Task Fix_never_touches_a_script_the_manifest_says_is_applied()
    {
        // Same violations, under the name of a script the catalog has shipped.
        var applied = Path.Combine(folder.Root, "20250828170000_viral_referral_system.sql");
        await File.WriteAllTextAsync(applied, LintFolder.HouseViolations);

        var (exitCode, stdout, output) = await Lint(applied, "--fix");

        Assert.Equal(LintFolder.HouseViolations, await File.ReadAllTextAsync(applied));
        Assert.Contains("is applied", output);
        Assert.Contains("left untouched", output);
        Assert.Contains("[gen-random-uuid]", stdout);
        Assert.Equal(1, exitCode);
    }

    [Theory]
    [InlineData("mode 000", false)]
    [InlineData("mode 000", true)]
    [InlineData("socket", false)]
    [InlineData("socket", true)]
    public async Task An_unreadable_script_is_named_and_is_a_usage_error_without_a_stack_trace(string kind, bool named)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Mode 000 stops reads of an unprivileged process (root's are run without CAP_DAC_OVERRIDE); a socket
        // named *.sql can't be opened by anyone: open(2) fails with ENXIO, an IOException.
        var unreadable = Path.Combine(folder.Violations, "20990101000002_unreadable.sql");
        // Open for the whole run: disposing the socket removes its file.
        using var socket = kind == "socket" ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) : null;
        if (socket is not null)
        {
            socket.Bind(new UnixDomainSocketEndPoint(unreadable));
        }
        else
        {
            await File.WriteAllTextAsync(unreadable, LintFolder.Compliant);
            File.SetUnixFileMode(unreadable, UnixFileMode.None);
        }

        var (exitCode, stdout, output) = await MigratorProcess.RunUnprivilegedCapturingStdoutAsync("lint", named ? unreadable : folder.Violations);

        Assert.True(exitCode == LintCommand.Usage, output);
        Assert.Contains($"lint: {unreadable} could not be read:", output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("   at ", output);
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, true)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, false)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, true)]
    public async Task Fix_names_each_script_it_cannot_write_and_changes_none(UnixFileMode mode, bool readOnlyFolder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Two scripts to fix; the second can't be written: read-only (444), or in a read-only folder (555),
        // where a script can't be replaced whole. The first must not be changed either.
        var writable = Path.Combine(folder.Violations, "20990101000002_writable.sql");
        var readOnly = Path.Combine(folder.Violations, "20990101000003_read_only.sql");
        await File.WriteAllTextAsync(writable, LintFolder.HouseViolations);
        await File.WriteAllTextAsync(readOnly, LintFolder.HouseViolations);
        File.SetUnixFileMode(readOnly, mode);
        var before = Directory.GetFileSystemEntries(folder.Violations).Order(StringComparer.Ordinal).ToList();
        var folderMode = File.GetUnixFileMode(folder.Violations);
        if (readOnlyFolder)
        {
            File.SetUnixFileMode(folder.Violations, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        try
        {
            var (exitCode, stdout, output) = await MigratorProcess.RunUnprivilegedCapturingStdoutAsync("lint", folder.Violations, "--fix");

            Assert.True(exitCode == LintCommand.Usage, output);
            Assert.Contains($"lint --fix: {readOnly} could not be written:", output);
            Assert.Contains("no file was changed", output);
            Assert.DoesNotContain("Unhandled exception", output);
            Assert.DoesNotContain("   at ", output);
            Assert.DoesNotContain("+++ b/", stdout);
            Assert.Equal(LintFolder.HouseViolations, await File.ReadAllTextAsync(writable));
            Assert.Equal(LintFolder.HouseViolations, await File.ReadAllTextAsync(readOnly));
            Assert.Equal(LintFolder.HouseViolations, await File.ReadAllTextAsync(folder.HouseFile));
            Assert.Equal(before, Directory.GetFileSystemEntries(folder.Violations).Order(StringComparer.Ordinal));
            if (readOnlyFolder && mode.HasFlag(UnixFileMode.UserWrite))
            {
                Assert.Contains($"lint --fix: {writable} could not be written:", output);
            }
        }
        finally
        {
            File.SetUnixFileMode(folder.Violations, folderMode);
        }
    }

    [Fact]
    public async Task Fix_replaces_a_script_whole_and_keeps_its_mode()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(folder.HouseFile, mode);
        var before = Directory.GetFileSystemEntries(folder.Violations).Order(StringComparer.Ordinal).ToList();

        var (exitCode, _, output) = await MigratorProcess.RunUnprivilegedCapturingStdoutAsync("lint", folder.HouseFile, "--fix");

        Assert.True(exitCode == LintCommand.Findings, output);
        Assert.Contains("gen_random_uuid()", await File.ReadAllTextAsync(folder.HouseFile));
        Assert.Equal(mode, File.GetUnixFileMode(folder.HouseFile));
        Assert.Equal(before, Directory.GetFileSystemEntries(folder.Violations).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sarif_uri_of_an_absolute_path_is_a_file_uri_that_decodes_back_to_it()
    {
        var spaced = Path.Combine(folder.Root, "sp ace");
        Directory.CreateDirectory(spaced);
        var script = Path.Combine(spaced, "30000110000000_a b#c%d.sql");
        await File.WriteAllTextAsync(script, LintFolder.HouseViolations);

        var (exitCode, stdout, output) = await Lint(spaced, "--sarif");

        Assert.True(exitCode == 1, output);
        var result = SarifSchema().Evaluate(JsonDocument.Parse(stdout).RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, string.Join('\n', (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        var uri = Assert.Single(Uris(stdout).Distinct());
        Assert.True(Uri.IsWellFormedUriString(uri, UriKind.Absolute), uri);
        Assert.True(Uri.TryCreate(uri, UriKind.RelativeOrAbsolute, out var parsed), uri);
        Assert.Equal(Uri.UriSchemeFile, parsed.Scheme);
        Assert.Empty(parsed.Fragment);
        Assert.Equal(script, parsed.LocalPath);
    }

    [Theory]
    [InlineData("sp ace/30000110000000_a b#c%d.sql", "sp%20ace/30000110000000_a%20b%23c%25d.sql")]
    [InlineData("30000110000000_%41?x:y.sql", "30000110000000_%2541%3Fx%3Ay.sql")]
    [InlineData("20990101000000_plain.sql", "20990101000000_plain.sql")]
    public void Sarif_uri_of_a_relative_path_is_encoded_segment_by_segment(string path, string expected)
    {
        var file = SqlScriptFile.Parse(path, LintFolder.HouseViolations);
        var sarif = LintReport.Sarif(ScriptLinter.AllRules.Lint(file, [file]), ScriptLinter.AllRules.Rules);

        var uri = Assert.Single(Uris(sarif).Distinct());
        Assert.Equal(expected, uri);
        Assert.True(Uri.IsWellFormedUriString(uri, UriKind.Relative), uri);
        Assert.True(Uri.TryCreate(uri, UriKind.RelativeOrAbsolute, out var parsed) && !parsed.IsAbsoluteUri, uri);
        Assert.Equal(path, Uri.UnescapeDataString(uri));
    }

    public void Dispose() => folder.Dispose();

    private static IEnumerable<string> Uris(string sarif) =>
        JsonNode.Parse(sarif)!["runs"]![0]!["results"]!.AsArray()
            .Select(r => r!["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]!.GetValue<string>());

    private static string FileName(string kind) => kind == "house" ? "20990101000000_house.sql" : "20990101000001_locks.sql";

    private static Task<(int ExitCode, string StandardOutput, string Output)> Lint(params string[] args) =>
        MigratorProcess.RunCapturingStdoutAsync("", ["lint", .. args]);

    /// <summary>
    /// The OASIS schema (errata 01, as published in oasis-tcs/sarif-spec) declares JSON Schema
    /// draft-04, which JsonSchema.Net does not evaluate; the keywords it uses mean the same in
    /// draft-07. Its draft-04 <c>id</c> is dropped: every reference in it is local (<c>#/definitions/…</c>).
    /// </summary>
    private static JsonSchema SarifSchema() => Sarif.Value;

    private static JsonSchema BuildSarifSchema()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(MigrationScriptFiles.RepositoryRoot, "tests", "WedSync.Tests", "Migrator", "Lint", "sarif-schema-2.1.0.json")))!.AsObject();
        schema["$schema"] = "http://json-schema.org/draft-07/schema#";
        schema.Remove("id");
        return JsonSchema.Build(JsonSerializer.SerializeToElement(schema));
    }
}
