namespace WedSync.Migrations.Journal;

/// <summary>One applied script as the journal remembers it.</summary>
public sealed record JournalEntry(
    string ScriptName,
    DateTimeOffset AppliedAt,
    string Checksum,
    int? DurationMs,
    string AppliedBy,
    string MigratorVersion);
