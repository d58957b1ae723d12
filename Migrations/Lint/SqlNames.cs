namespace WedSync.Migrations.Lint;

/// <summary>Compares names the way PostgreSQL resolves them for our scripts: unquoted names fold
/// to lower case, and <c>public.x</c> is <c>x</c> (every script runs with search_path public).</summary>
public static class SqlNames
{
    public static string Normalize(string name)
    {
        var parts = name.Split('.').Select(part =>
        {
            var trimmed = part.Trim();
            return trimmed.StartsWith('"') ? trimmed.Trim('"') : trimmed.ToLowerInvariant();
        }).ToList();
        return parts is ["public", var table] ? table : string.Join('.', parts);
    }
}
