namespace WedSync.Migrations.Drift;

/// <summary>Compares two fingerprints object by object (identity: kind and name; change: the definition's hash).</summary>
public static class SchemaDriftComparer
{
    private static readonly Dictionary<string, SchemaObjectKind> Kinds = Enum.GetValues<SchemaObjectKind>()
        .ToDictionary(kind => MigratorJsonContext.Word(kind), StringComparer.Ordinal);

    /// <summary>Every object added, changed or dropped, ordered by kind and name.</summary>
    public static IReadOnlyList<DriftedObject> Compare(IReadOnlyCollection<SchemaObject> recorded, IReadOnlyCollection<SchemaObject> live)
    {
        var before = recorded.ToDictionary(o => (o.Kind, o.Name));
        var after = live.ToDictionary(o => (o.Kind, o.Name));
        var drift = new List<DriftedObject>();
        foreach (var (key, now) in after)
        {
            if (!before.TryGetValue(key, out var then))
            {
                drift.Add(new DriftedObject(KindOf(key.Kind), key.Name, SchemaChange.Added, null, now.Definition));
            }
            else if (then.Hash != now.Hash)
            {
                drift.Add(new DriftedObject(KindOf(key.Kind), key.Name, SchemaChange.Changed, then.Definition, now.Definition));
            }
        }

        drift.AddRange(before.Where(kv => !after.ContainsKey(kv.Key))
            .Select(kv => new DriftedObject(KindOf(kv.Key.Kind), kv.Key.Name, SchemaChange.Dropped, kv.Value.Definition, null)));
        return drift.OrderBy(d => d.Kind).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    // A kind a newer migrator recorded and this one does not know is still drift, shown under the closest kind.
    private static SchemaObjectKind KindOf(string kind) => Kinds.TryGetValue(kind, out var known) ? known : SchemaObjectKind.Schema;
}
