namespace WedSync.Tests.Schema.Isolation;

/// <summary>
/// An organization created by one test, with fresh ids throughout, so no test depends on rows of
/// another: its id, its owner's user id (the JWT sub), and the id of its row in each tenant table.
/// </summary>
public sealed record Tenant(string Label, Guid OrganizationId, Guid UserId, IReadOnlyDictionary<string, Guid> RowIds)
{
    public static Tenant New(string label) => new(
        label, Guid.NewGuid(), Guid.NewGuid(), TenantRowFactory.Tables.ToDictionary(table => table, _ => Guid.NewGuid()));

    public Guid RowId(string table) =>
        RowIds.TryGetValue(table, out var id) ? id : throw new InvalidOperationException($"TenantRowFactory has no row for {table}.");

    /// <summary>The claims the API would set for this tenant's owner.</summary>
    public string Claims => $$"""{"sub":"{{UserId}}"}""";

    public override string ToString() => $"{Label} ({OrganizationId})";
}
