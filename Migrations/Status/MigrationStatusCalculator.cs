using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;

namespace WedSync.Migrations.Status;

public static class MigrationStatusCalculator
{
    public static MigrationStatusReport Calculate(ScriptCatalog catalog, RequestManifest manifest, IReadOnlyList<JournalEntry> journal)
    {
        var applied = journal.ToDictionary(entry => entry.ScriptName, StringComparer.Ordinal);
        // "This run" is the latest run that applied anything: the run id of the newest journal row that has one.
        var latestRun = journal.Where(e => e.RunId is not null).MaxBy(e => e.AppliedAt)?.RunId;
        AppliedWhen When(JournalEntry entry) => latestRun is not null && entry.RunId == latestRun ? AppliedWhen.ThisRun : AppliedWhen.Before;

        var scripts = new List<ScriptStatus>();
        foreach (var script in catalog.Scripts)
        {
            var checksum = ScriptChecksum.Of(script.Contents);
            if (applied.TryGetValue(script.Name, out var entry))
            {
                // A changed versioned script is drift; a changed repeatable one is pending (up runs its new text);
                // a run-always script runs on every up, whatever its text.
                var state = entry.Checksum == checksum ? ScriptState.Applied
                    : script.Kind switch
                    {
                        ScriptKind.Repeatable => ScriptState.Pending,
                        ScriptKind.RunAlways => ScriptState.Applied,
                        _ => ScriptState.Modified,
                    };
                scripts.Add(new ScriptStatus(script.Name, state, entry.AppliedAt, checksum, entry.Checksum, entry.DurationMs, entry.AppliedBy,
                    When(entry), entry.AllowedLintRules));
            }
            else
            {
                scripts.Add(new ScriptStatus(script.Name, ScriptState.Pending, null, checksum, null, null, null));
            }
        }

        foreach (var entry in journal.Where(e => catalog.Find(e.ScriptName) is null))
        {
            scripts.Add(new ScriptStatus(entry.ScriptName, ScriptState.Unknown, entry.AppliedAt, null, entry.Checksum, entry.DurationMs, entry.AppliedBy,
                When(entry), entry.AllowedLintRules));
        }

        var byName = scripts.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var requests = manifest.Entries
            .Select(request =>
            {
                var own = request.Scripts
                    .Select(name => byName.TryGetValue(name, out var status)
                        ? status
                        : new ScriptStatus(name, ScriptState.MissingFile, null, null, null, null, null))
                    .ToList();
                var filesExist = request.Scripts.All(name => catalog.Find(name) is not null);
                return new RequestStatus(request.Id, request.Title, request.Requested, RequestStateOf(own), AppliedOf(own), filesExist, own);
            })
            .ToList();

        return new MigrationStatusReport(requests, scripts.OrderBy(s => s.Name, StringComparer.Ordinal).ToList()) { Renames = ScriptRenames.Find(catalog, journal) };
    }

    // The worst state wins: a missing file hides nothing, a modified script beats a pending one.
    private static RequestState RequestStateOf(IReadOnlyList<ScriptStatus> scripts) =>
        scripts.Any(s => s.State == ScriptState.MissingFile) ? RequestState.MissingFile
        : scripts.Any(s => s.State == ScriptState.Modified) ? RequestState.Modified
        : scripts.All(s => s.State is ScriptState.Applied or ScriptState.Unknown) ? RequestState.Complete
        : RequestState.Pending;

    // A request counts as applied by this run when any of its scripts was: the report's "applied today".
    private static AppliedWhen AppliedOf(IReadOnlyList<ScriptStatus> scripts) =>
        scripts.Any(s => s.Applied == AppliedWhen.ThisRun) ? AppliedWhen.ThisRun
        : scripts.Any(s => s.Applied == AppliedWhen.Before) ? AppliedWhen.Before
        : AppliedWhen.NotApplied;
}
