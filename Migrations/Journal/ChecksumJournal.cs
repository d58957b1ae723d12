using System.Data;
using DbUp.Engine;
using Npgsql;
using WedSync.Migrations.Catalog;

namespace WedSync.Migrations.Journal;

/// <summary>
/// The checksum journal (<see cref="JournalStore"/>: per script its checksum, duration, run id and the lint
/// rules <c>up --allow</c> overrode) behind DbUp's <c>IJournal</c>. The engine reads it once under the run's
/// lock (<see cref="LoadAsync"/>) and DbUp's upgrade filters by that reading; the rows themselves are written
/// by the script executor inside each script's own transaction, so a script and its row commit together.
/// </summary>
public sealed class ChecksumJournal(JournalStore store) : IJournal
{
    private IReadOnlyList<JournalEntry>? entries;

    /// <summary>What the journal held when read under the lock (empty before <see cref="LoadAsync"/>).</summary>
    public IReadOnlyList<JournalEntry> Entries => entries ?? [];

    /// <summary>Creates or upgrades the journal (taking DbUp's <c>schemaversions</c> over, with the catalog's checksums) and reads it.</summary>
    public async Task<IReadOnlyList<JournalEntry>> LoadAsync(ScriptCatalog catalog, CancellationToken cancellationToken)
    {
        await store.EnsureAsync(catalog, cancellationToken);
        entries = await store.ReadAsync(cancellationToken);
        return entries;
    }

    /// <summary>The checksum the journal holds for a script, or null when it never ran.</summary>
    public string? ChecksumOf(string scriptName) => Entries.FirstOrDefault(e => e.ScriptName == scriptName)?.Checksum;

    public string[] GetExecutedScripts() => Entries.Select(e => e.ScriptName).ToArray();

    // DbUp's MarkAsExecuted: the row a script would have had, with nothing run.
    public void StoreExecutedScript(DbUp.Engine.SqlScript script, Func<IDbCommand> dbCommandFactory)
    {
        using var command = (NpgsqlCommand)dbCommandFactory();
        var insert = JournalStore.InsertCommand(CatalogScriptProvider.FromDbUp(script), "dbup mark as executed");
        command.CommandText = insert.CommandText;
        foreach (NpgsqlParameter parameter in insert.Parameters)
        {
            command.Parameters.Add(parameter.Clone());
        }

        command.ExecuteNonQuery();
    }

    // Made and upgraded under the run's lock before DbUp's upgrade starts (LoadAsync); nothing is left to do.
    public void EnsureTableExistsAndIsLatestVersion(Func<IDbCommand> dbCommandFactory)
    {
    }
}
