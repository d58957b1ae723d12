using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using WedSync.Api.Features.Migrations;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Status;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Report;

/// <summary>
/// Issue 14, the request report: <c>status</c> prints the session report's table per request (request,
/// request date, state, applied in this run or before, files), <c>status --json</c> the same, and
/// GET /api/migrations the same report. A manifest of its own (Migrations:RequestManifestPath) names a
/// request whose file is absent.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RequestReportTests(AppHostFixture fixture)
{
    private const string Present = "29990101000000_report_present.sql";
    private const string Absent = "29990101000001_report_absent.sql";

    [Fact]
    public async Task Status_shows_every_request_with_its_date_and_the_missing_file_state()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(Present, "SELECT 1;\n");
        var manifest = Path.Combine(folder, "manifest.json");
        await File.WriteAllTextAsync(manifest, ManifestWithExtraRequests());
        string[] options = [$"--Migrations:AdditionalScriptsPath={folder}", $"--Migrations:RequestManifestPath={manifest}"];
        try
        {
            var up = await MigratorProcess.RunAsync(database.ConnectionString, ["up", .. options]);
            Assert.True(up.ExitCode == 0, up.Output);

            var table = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, ["status", .. options]);
            var json = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, ["status", "--json", .. options]);

            Assert.True(table.ExitCode == 0, table.Output);
            Assert.Contains("| Request | Title | Request date | State | Applied | Files |", table.StandardOutput);
            Assert.Contains("| WS-170 | Viral Referral System | 2025-01-28 | complete | this run | exist |", table.StandardOutput);
            Assert.Contains("| WS-047 | Review Collection System | 2025-01-20 | complete | this run | exist |", table.StandardOutput);
            Assert.Contains("| WS-900 | Report present | 2025-02-03 | complete | this run | exist |", table.StandardOutput);
            Assert.Contains($"| WS-901 | Report absent | 2025-02-04 | missing file | not applied | missing | {Absent} (missing file) |", table.StandardOutput);

            Assert.True(json.ExitCode == 0, json.Output);
            var requests = JsonNode.Parse(json.StandardOutput)!["requests"]!.AsArray();
            var absent = requests.Single(r => r!["requestId"]!.GetValue<string>() == "WS-901")!;
            Assert.Equal("missing file", absent["state"]!.GetValue<string>());
            Assert.Equal("2025-02-04", absent["requested"]!.GetValue<string>());
            Assert.Equal("not applied", absent["applied"]!.GetValue<string>());
            Assert.False(absent["filesExist"]!.GetValue<bool>());
            Assert.Equal("missing file", absent["scripts"]![0]!["state"]!.GetValue<string>());
            Assert.Equal(RequestManifest.Embedded().Entries.Count + 2, requests.Count);

            // The API's report (the class behind GET /api/migrations) over the same manifest, catalog and journal says the same.
            await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            var catalog = ScriptCatalog.ForSchema(folder);
            var report = await new MigrationCatalogStatus(dataSource, RequestManifest.EmbeddedOr(manifest), catalog).ReadAsync(CancellationToken.None);
            Assert.Equal(
                requests.Select(r => (r!["requestId"]!.GetValue<string>(), r["state"]!.GetValue<string>(), r["applied"]!.GetValue<string>(), r["filesExist"]!.GetValue<bool>())),
                report.Requests.Select(r => (r.RequestId, Word(r.State), Word(r.Applied), r.FilesExist)));
            Assert.Equal(RequestState.MissingFile, report.Requests.Single(r => r.RequestId == "WS-901").State);

            // A later run that applies one more script: the earlier requests now read "before".
            await File.WriteAllTextAsync(Path.Combine(folder, "29990101000002_report_later.sql"), "SELECT 2;\n");
            var later = await MigratorProcess.RunAsync(database.ConnectionString, ["up", .. options]);
            var after = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, ["status", .. options]);
            Assert.True(later.ExitCode == 0, later.Output);
            Assert.Contains("| WS-170 | Viral Referral System | 2025-01-28 | complete | before | exist |", after.StandardOutput);
            Assert.Matches(@"\| 29990101000002_report_later\.sql \| applied \| this run \|", after.StandardOutput);
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // GET /api/migrations over HTTP is the report `status --json` prints for the same database.
    [Fact]
    public async Task Api_returns_the_same_request_table_as_status_json()
    {
        var status = await MigratorProcess.RunCapturingStdoutAsync(fixture.DatabaseConnectionString, "status", "--json");
        using var response = await fixture.Api.GetAsync("/api/migrations", TestTokens.For(Guid.NewGuid(), ["platform_admin"]));

        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Equal(200, (int)response.StatusCode);
        var api = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["requests"]!.AsArray();
        var cli = JsonNode.Parse(status.StandardOutput)!["requests"]!.AsArray();
        Assert.Equal(Columns(cli), Columns(api));
        var ws170 = api.Single(r => r!["requestId"]!.GetValue<string>() == "WS-170")!;
        Assert.Equal("Viral Referral System", ws170["title"]!.GetValue<string>());
        Assert.Equal("2025-01-28", ws170["requested"]!.GetValue<string>());
        Assert.Equal("complete", ws170["state"]!.GetValue<string>());
        Assert.True(ws170["filesExist"]!.GetValue<bool>());
        Assert.Contains(ws170["applied"]!.GetValue<string>(), new[] { "this run", "before" });
    }

    private static IEnumerable<string> Columns(JsonArray requests) => requests.Select(r =>
        string.Join("|", r!["requestId"], r["title"], r["requested"], r["state"], r["applied"], r["filesExist"],
            string.Join(",", r["scripts"]!.AsArray().Select(s => $"{s!["name"]}:{s["state"]}:{s["applied"]}")))).ToList();

    private static string Word<T>(T value) => JsonSerializer.Serialize(value).Trim('"');

    // The embedded manifest and two requests of the test's own: one whose script is in the extra folder, one whose file is absent.
    private static string ManifestWithExtraRequests()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(
            Path.GetDirectoryName(new Projects.Migrations().ProjectPath)!, "Catalog", "RequestManifest.json")))!.AsObject();
        manifest["WS-900"] = new JsonObject { ["title"] = "Report present", ["requested"] = "2025-02-03", ["scripts"] = new JsonArray(Present) };
        manifest["WS-901"] = new JsonObject { ["title"] = "Report absent", ["requested"] = "2025-02-04", ["scripts"] = new JsonArray(Absent) };
        return manifest.ToJsonString();
    }
}
