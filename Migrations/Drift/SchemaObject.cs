namespace WedSync.Migrations.Drift;

/// <summary>
/// One object of the schema as <see cref="SchemaFingerprint"/> reads it: kind and qualified name are its
/// identity, <see cref="Hash"/> (md5 of <see cref="Definition"/>) what a change changes.
/// </summary>
public sealed record SchemaObject(string Kind, string Name, string Hash, string Definition);
