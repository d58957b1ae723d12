using System.Text;
using WedSync.Migrations.Catalog;

namespace WedSync.Tests.Migrator.Report;

/// <summary>The manifest format: title, request date and sorted scripts per request; tolerant loading; clear errors.</summary>
public sealed class RequestManifestTests
{
    [Fact]
    public void Embedded_manifest_gives_every_request_its_title_date_and_sorted_scripts()
    {
        var manifest = RequestManifest.Embedded();

        Assert.Equal(["WS-047", "WS-153", "WS-154", "WS-159", "WS-166", "WS-167", "WS-168", "WS-170"], manifest.Entries.Select(r => r.Id));
        Assert.All(manifest.Entries, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Title));
            Assert.NotNull(r.Requested);
            Assert.Equal(r.Scripts.Order(StringComparer.Ordinal), r.Scripts);
        });
        // From the session report's table (2025-01-22).
        Assert.Equal(new DateOnly(2025, 1, 28), manifest.Find("WS-170")!.Requested);
        Assert.Equal(new DateOnly(2025, 8, 25), manifest.Find("WS-153")!.Requested);
    }

    [Fact]
    public void Loader_tolerates_comments_trailing_commas_unknown_properties_and_the_first_format()
    {
        var manifest = Parse("""
            {
              // an inbox of two
              "WS-2": { "title": "B", "requested": "2025-02-01", "scripts": ["2_b.sql", "1_a.sql"], "owner": "team b", },
              "WS-1": ["1_x.sql"],
            }
            """);

        Assert.Equal(["WS-1", "WS-2"], manifest.Entries.Select(r => r.Id));
        Assert.Equal(["1_a.sql", "2_b.sql"], manifest.Find("WS-2")!.Scripts);
        Assert.Null(manifest.Find("WS-1")!.Title);
        Assert.Equal(["1_x.sql"], manifest.Requests["WS-1"]);
    }

    [Theory]
    [InlineData("""{"WS-1": {"title": "A", "requested": "28.01.2025", "scripts": ["a.sql"]}}""", "WS-1 has no valid \"requested\" date")]
    [InlineData("""{"WS-1": {"requested": "2025-01-28", "scripts": ["a.sql"]}}""", "WS-1 has no title")]
    [InlineData("""{"WS-1": {"title": "A", "requested": "2025-01-28"}}""", "WS-1 has no scripts")]
    [InlineData("""{"WS-1": {"title": "A", "requested": "2025-01-28", "scripts": [1]}}""", "WS-1 lists 1, which is not a script file name")]
    [InlineData("""{"WS-1": {"title": "A", "requested": "2025-01-28", "scripts": []}}""", "scripts of request WS-1 must be a non-empty list")]
    [InlineData("""{"WS-1": "a.sql"}""", "request WS-1 must be an object")]
    [InlineData("""["a.sql"]""", "must be an object keyed by request id")]
    [InlineData("""{"WS-1": {"title": "A",""", "is not valid JSON")]
    public void Malformed_manifest_is_refused_naming_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<RequestManifestException>(() => Parse(json));

        Assert.Contains(expected, error.Message);
        Assert.Contains("test.json", error.Message);
    }

    private static RequestManifest Parse(string json) => RequestManifest.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json");
}
