using System.Data;
using DbUp.Engine;

namespace WedSync.Migrations.Journal;

/// <summary>
/// DbUp's journal, pointed at our table. DbUp calls <see cref="StoreExecutedScript"/> inside the
/// script's own transaction, so a script and its journal row commit or roll back together.
/// </summary>
public sealed class ChecksumJournal(IReadOnlyList<JournalEntry> applied, string appliedBy) : IJournal
{
    public string[] GetExecutedScripts() => applied.Select(entry => entry.ScriptName).ToArray();

    public void StoreExecutedScript(SqlScript script, Func<IDbCommand> dbCommandFactory)
    {
        using var command = dbCommandFactory();
        // now() is the transaction's start, which is the script's start: one transaction per script.
        command.CommandText = $"""
            INSERT INTO {JournalStore.Table} (script_name, applied_at, checksum, duration_ms, applied_by, migrator_version)
            VALUES (@name, now(), @checksum, (extract(epoch FROM clock_timestamp() - now()) * 1000)::integer, @appliedBy, @version)
            """;
        AddParameter(command, "name", script.Name);
        AddParameter(command, "checksum", ScriptChecksum.Of(script.Contents));
        AddParameter(command, "appliedBy", appliedBy);
        AddParameter(command, "version", MigratorVersion.Current);
        command.ExecuteNonQuery();
    }

    // The table is created before DbUp runs (JournalStore.EnsureAsync), outside any script's transaction.
    public void EnsureTableExistsAndIsLatestVersion(Func<IDbCommand> dbCommandFactory)
    {
    }

    private static void AddParameter(IDbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
