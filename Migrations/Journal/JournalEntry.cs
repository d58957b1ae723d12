namespace WedSync.Migrations.Journal;

/// <summary>
/// One applied script as the journal remembers it. <see cref="RunId"/> is the <c>up</c> run that applied it
/// (null for rows written before run ids were journaled, and for DbUp's imported history);
/// <see cref="AllowedLintRules"/> the error-level lint rules <c>up --allow</c> overrode for it.
/// </summary>
public sealed record JournalEntry(
    string ScriptName,
    DateTimeOffset AppliedAt,
    string Checksum,
    int? DurationMs,
    string AppliedBy,
    string MigratorVersion,
    Guid? RunId = null,
    IReadOnlyList<string>? AllowedLintRules = null);
