using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;

namespace WedSync.Migrations.Status;

/// <summary>
/// A pending script whose text (checksum) is that of an applied one: <paramref name="AppliedName"/> renamed
/// (<paramref name="AppliedStillInCatalog"/> false: a typo fix of a file name), or copied under a new name.
/// Either way <c>up</c> would run the applied script's statements a second time.
/// </summary>
public sealed record ScriptRename(string Name, string AppliedName, string Checksum, bool AppliedStillInCatalog)
{
    public override string ToString() => AppliedStillInCatalog
        ? $"{Name} has the same text (checksum {Checksum}) as the applied {AppliedName}, which the catalog still has: up would run its statements a second time. " +
          "If it is meant to run again, make its text its own (a comment saying why); otherwise remove it"
        : $"{Name} has the same text (checksum {Checksum}) as the applied {AppliedName}, which the catalog no longer has: the script was renamed, " +
          $"and up would run it a second time. Restore the name {AppliedName}, or record the rename with `repair {Name}` (the journal row of {AppliedName} becomes {Name}'s)";
}

public static class ScriptRenames
{
    /// <summary>Every pending script of <paramref name="catalog"/> whose checksum an applied script has, with that script.</summary>
    public static IReadOnlyList<ScriptRename> Find(ScriptCatalog catalog, IReadOnlyList<JournalEntry> journal)
    {
        var applied = journal.Select(e => e.ScriptName).ToHashSet(StringComparer.Ordinal);
        var byChecksum = journal.GroupBy(e => e.Checksum, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(e => e.ScriptName, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var renames = new List<ScriptRename>();
        foreach (var script in catalog.Scripts.Where(s => !applied.Contains(s.Name)))
        {
            var checksum = ScriptChecksum.Of(script.Contents);
            if (!byChecksum.TryGetValue(checksum, out var twins))
            {
                continue;
            }

            // A twin the catalog lost is the rename; one still there is a copy.
            var twin = twins.FirstOrDefault(e => catalog.Find(e.ScriptName) is null) ?? twins[0];
            renames.Add(new ScriptRename(script.Name, twin.ScriptName, checksum, catalog.Find(twin.ScriptName) is not null));
        }

        return renames;
    }
}
