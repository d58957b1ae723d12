using System.Globalization;
using System.Text.Json;

namespace WedSync.Migrations.Catalog;

/// <summary>
/// Which scripts each migration request (WS-047 ...) needs, with its title and request date: the
/// report's table, as data. The file is an object keyed by request id:
/// <c>{"WS-170": {"title": "...", "requested": "2025-01-28", "scripts": ["..."]}}</c>. The loader is
/// tolerant where tolerance is harmless (comments, trailing commas, unknown properties, a bare script
/// list as in the first format) and refuses anything it would have to guess, naming the request.
/// </summary>
public sealed class RequestManifest
{
    private static readonly JsonDocumentOptions ReadOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public RequestManifest(IEnumerable<MigrationRequest> requests)
    {
        Entries = requests.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        Requests = Entries.ToDictionary(r => r.Id, r => r.Scripts, StringComparer.Ordinal);
    }

    /// <summary>Every request, ordered by id.</summary>
    public IReadOnlyList<MigrationRequest> Entries { get; }

    /// <summary>Request id to its scripts.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Requests { get; }

    public MigrationRequest? Find(string requestId) => Entries.FirstOrDefault(r => r.Id == requestId);

    public static RequestManifest Embedded()
    {
        var assembly = typeof(RequestManifest).Assembly;
        using var stream = assembly.GetManifestResourceStream($"{assembly.GetName().Name}.Catalog.RequestManifest.json")
            ?? throw new InvalidOperationException("The request manifest is not embedded.");
        return Parse(stream, "the embedded request manifest");
    }

    /// <summary>The embedded manifest, or the file at <paramref name="path"/> in its place when one is given.</summary>
    public static RequestManifest EmbeddedOr(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return Embedded();
        }

        try
        {
            using var stream = File.OpenRead(path);
            return Parse(stream, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RequestManifestException($"The request manifest {path} cannot be read: {ex.Message}", ex);
        }
    }

    public static RequestManifest Parse(Stream json, string source = "the request manifest")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, ReadOptions);
        }
        catch (JsonException ex)
        {
            throw new RequestManifestException($"{source} is not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new RequestManifestException($"{source} must be an object keyed by request id, e.g. {{\"WS-170\": {{\"title\": ..., \"requested\": \"2025-01-28\", \"scripts\": [...]}}}}.");
            }

            var requests = new List<MigrationRequest>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (requests.Any(r => r.Id == property.Name))
                {
                    throw new RequestManifestException($"{source}: request {property.Name} is listed twice.");
                }

                requests.Add(Request(property.Name, property.Value, source));
            }

            return new RequestManifest(requests);
        }
    }

    private static MigrationRequest Request(string id, JsonElement value, string source)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new RequestManifestException($"{source}: a request has an empty id.");
        }

        // The first format: "WS-170": ["script.sql", ...].
        if (value.ValueKind == JsonValueKind.Array)
        {
            return new MigrationRequest(id, null, null, Scripts(id, value, source));
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new RequestManifestException($"{source}: request {id} must be an object with title, requested and scripts.");
        }

        var title = value.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(t.GetString())
            ? t.GetString()!.Trim()
            : throw new RequestManifestException($"{source}: request {id} has no title (a non-empty string).");
        var requested = value.TryGetProperty("requested", out var r) && r.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(r.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new RequestManifestException($"{source}: request {id} has no valid \"requested\" date (yyyy-MM-dd).");
        if (!value.TryGetProperty("scripts", out var scripts))
        {
            throw new RequestManifestException($"{source}: request {id} has no scripts list.");
        }

        return new MigrationRequest(id, title, requested, Scripts(id, scripts, source));
    }

    private static IReadOnlyList<string> Scripts(string id, JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new RequestManifestException($"{source}: the scripts of request {id} must be a non-empty list of file names.");
        }

        var names = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } name || !name.EndsWith(".sql", StringComparison.Ordinal)
                || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
            {
                throw new RequestManifestException($"{source}: request {id} lists {item.GetRawText()}, which is not a script file name (name.sql).");
            }

            names.Add(name);
        }

        // Sorted as the catalog is (ordinally): the order they run in, whatever order the file lists them in.
        return names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A copy with <paramref name="requestId"/> needing <paramref name="scripts"/> (title and date kept when it exists).</summary>
    public RequestManifest With(string requestId, params string[] scripts)
    {
        var existing = Find(requestId);
        var changed = new MigrationRequest(requestId, existing?.Title, existing?.Requested, scripts.Order(StringComparer.Ordinal).ToList());
        return new RequestManifest(Entries.Where(r => r.Id != requestId).Append(changed));
    }
}
