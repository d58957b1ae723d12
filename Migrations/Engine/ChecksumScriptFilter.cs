using DbUp.Engine;
using DbUp.Support;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;

namespace WedSync.Migrations.Engine;

/// <summary>
/// DbUp's script filter made checksum-aware: a run-once script is pending until journaled (DbUp's rule); a
/// repeatable script (run-always, in the repeatable run group) is pending while the journal holds no run of
/// its current text (Flyway's R__); any other run-always script, added the DbUp way, runs on every up.
/// </summary>
public sealed class ChecksumScriptFilter(ChecksumJournal journal) : IScriptFilter
{
    public IEnumerable<DbUp.Engine.SqlScript> Filter(IEnumerable<DbUp.Engine.SqlScript> sorted, HashSet<string> executedScriptNames, ScriptNameComparer comparer) =>
        sorted.Where(script => CatalogScriptProvider.FromDbUp(script).Kind switch
        {
            ScriptKind.Repeatable => journal.ChecksumOf(script.Name) != ScriptChecksum.Of(script.Contents),
            ScriptKind.RunAlways => true,
            _ => !executedScriptNames.Contains(script.Name, comparer),
        });
}
