using System.Text;

namespace WedSync.Migrations.Drift;

/// <summary>Compares two fingerprints object by object (identity: kind and name; change: the definition's hash).</summary>
public static class SchemaDriftComparer
{
    private static readonly Dictionary<string, SchemaObjectKind> Kinds = Enum.GetValues<SchemaObjectKind>()
        .ToDictionary(kind => MigratorJsonContext.Word(kind), StringComparer.Ordinal);

    /// <summary>Every object added, changed or dropped, ordered by kind and name.</summary>
    public static IReadOnlyList<DriftedObject> Compare(IReadOnlyCollection<SchemaObject> recorded, IReadOnlyCollection<SchemaObject> live)
    {
        // Duplicate keys are folded, never a crash: the fingerprint query folds them already, and a store an
        // earlier migrator wrote has a primary key; this only keeps a reader of any other source alive.
        var before = Fold(recorded);
        var after = Fold(live);
        // An earlier migrator recorded names unquoted ("public.Mixed.x"); each such row is matched once to the
        // live object whose quoted name unquotes to it, so an upgrade is no drift. The next up records the new form.
        var legacy = before.Keys.Where(key => !after.ContainsKey(key)).ToHashSet();
        var drift = new List<DriftedObject>();
        foreach (var (key, now) in after)
        {
            if (!before.TryGetValue(key, out var then) && legacy.Remove((key.Kind, Unquoted(key.Name))))
            {
                then = before[(key.Kind, Unquoted(key.Name))];
            }

            if (then is null)
            {
                drift.Add(new DriftedObject(KindOf(key.Kind), key.Name, SchemaChange.Added, null, now.Definition));
            }
            else if (then.Hash != now.Hash)
            {
                drift.Add(new DriftedObject(KindOf(key.Kind), key.Name, SchemaChange.Changed, then.Definition, now.Definition));
            }
        }

        drift.AddRange(legacy.Select(key => new DriftedObject(KindOf(key.Kind), key.Name, SchemaChange.Dropped, before[key].Definition, null)));
        return drift.OrderBy(d => d.Kind).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>A name with PostgreSQL's identifier quoting removed (<c>public."a.b".c</c> → <c>public.a.b.c</c>): the form earlier migrators recorded.</summary>
    public static string Unquoted(string name)
    {
        if (!name.Contains('"', StringComparison.Ordinal))
        {
            return name;
        }

        var text = new StringBuilder(name.Length);
        var quoted = false;
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '"')
            {
                text.Append(name[i]);
            }
            else if (quoted && i + 1 < name.Length && name[i + 1] == '"')
            {
                text.Append('"');
                i++;
            }
            else
            {
                quoted = !quoted;
            }
        }

        return text.ToString();
    }

    private static Dictionary<(string Kind, string Name), SchemaObject> Fold(IReadOnlyCollection<SchemaObject> objects) =>
        objects.GroupBy(o => (o.Kind, o.Name)).ToDictionary(g => g.Key, g => g.Count() == 1 ? g.First()
            : g.OrderBy(o => o.Definition, StringComparer.Ordinal).Aggregate((a, b) => a with { Hash = a.Hash + b.Hash, Definition = a.Definition + "\n" + b.Definition }));

    // A kind a newer migrator recorded and this one does not know is still drift, shown under the closest kind.
    private static SchemaObjectKind KindOf(string kind) => Kinds.TryGetValue(kind, out var known) ? known : SchemaObjectKind.Schema;
}
