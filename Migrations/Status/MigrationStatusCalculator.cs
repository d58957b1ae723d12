using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;

namespace WedSync.Migrations.Status;

public static class MigrationStatusCalculator
{
    public static MigrationStatusReport Calculate(ScriptCatalog catalog, RequestManifest manifest, IReadOnlyList<JournalEntry> journal)
    {
        var applied = journal.ToDictionary(entry => entry.ScriptName, StringComparer.Ordinal);
        var scripts = new List<ScriptStatus>();
        foreach (var script in catalog.Scripts)
        {
            var checksum = ScriptChecksum.Of(script.Contents);
            if (applied.TryGetValue(script.Name, out var entry))
            {
                var state = entry.Checksum == checksum ? ScriptState.Applied : ScriptState.Modified;
                scripts.Add(new ScriptStatus(script.Name, state, entry.AppliedAt, checksum, entry.Checksum, entry.DurationMs, entry.AppliedBy));
            }
            else
            {
                scripts.Add(new ScriptStatus(script.Name, ScriptState.Pending, null, checksum, null, null, null));
            }
        }

        foreach (var entry in journal.Where(e => catalog.Find(e.ScriptName) is null))
        {
            scripts.Add(new ScriptStatus(entry.ScriptName, ScriptState.Unknown, entry.AppliedAt, null, entry.Checksum, entry.DurationMs, entry.AppliedBy));
        }

        var byName = scripts.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var requests = manifest.Requests
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv =>
            {
                var own = kv.Value
                    .Select(name => byName.TryGetValue(name, out var status)
                        ? status
                        : new ScriptStatus(name, ScriptState.MissingFile, null, null, null, null, null))
                    .ToList();
                return new RequestStatus(kv.Key, RequestStateOf(own), own);
            })
            .ToList();

        return new MigrationStatusReport(requests, scripts.OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
    }

    // The worst state wins: a missing file hides nothing, a modified script beats a pending one.
    private static RequestState RequestStateOf(IReadOnlyList<ScriptStatus> scripts) =>
        scripts.Any(s => s.State == ScriptState.MissingFile) ? RequestState.MissingFile
        : scripts.Any(s => s.State == ScriptState.Modified) ? RequestState.Modified
        : scripts.All(s => s.State is ScriptState.Applied or ScriptState.Unknown) ? RequestState.Complete
        : RequestState.Pending;
}
