namespace WedSync.Migrations.Catalog;

/// <summary>
/// One request of the SQL expert's inbox (WS-047 ...): its title and the day it was asked for, as the
/// original session report gives them, and the scripts it needs (file names, sorted ordinally).
/// Title and date are null only for entries written in the manifest's first format (a bare list).
/// </summary>
public sealed record MigrationRequest(string Id, string? Title, DateOnly? Requested, IReadOnlyList<string> Scripts);
