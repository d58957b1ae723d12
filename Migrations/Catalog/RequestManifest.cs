using System.Text.Json;

namespace WedSync.Migrations.Catalog;

/// <summary>Which scripts each migration request (WS-047 ...) needs: the report's table, as data.</summary>
public sealed class RequestManifest(IReadOnlyDictionary<string, IReadOnlyList<string>> requests)
{
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Requests { get; } = requests;

    public static RequestManifest Embedded()
    {
        var assembly = typeof(RequestManifest).Assembly;
        using var stream = assembly.GetManifestResourceStream($"{assembly.GetName().Name}.Catalog.RequestManifest.json")
            ?? throw new InvalidOperationException("The request manifest is not embedded.");
        return Parse(stream);
    }

    public static RequestManifest Parse(Stream json)
    {
        var parsed = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(json)
            ?? throw new InvalidOperationException("The request manifest is empty.");
        return new RequestManifest(parsed.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value));
    }

    public RequestManifest With(string requestId, params string[] scripts)
    {
        var copy = Requests.ToDictionary(kv => kv.Key, kv => kv.Value);
        copy[requestId] = scripts;
        return new RequestManifest(copy);
    }
}
