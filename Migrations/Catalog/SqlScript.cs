namespace WedSync.Migrations.Catalog;

/// <summary>A migration script: its file name (the journal's key) and its text, exactly as read.</summary>
public sealed record SqlScript(string Name, string Contents);
