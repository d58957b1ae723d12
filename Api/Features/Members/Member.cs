using Npgsql;
using WedSync.Api.Platform.Database;

namespace WedSync.Api.Features.Members;

/// <summary>A person of the caller's organization: one row of <c>user_profiles</c>, as every Members use case answers it.</summary>
public sealed record Member(Guid Id, Guid UserId, string Email, string DisplayName, string Role, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>The columns <see cref="Read"/> reads, by name (any order, other columns beside them).</summary>
    public const string Columns = "id, user_id, email, display_name, role, created_at, updated_at";

    public static Member Read(NpgsqlDataReader reader) => new(
        reader.Get<Guid>("id"),
        reader.Get<Guid>("user_id"),
        reader.Get<string>("email"),
        reader.Get<string>("display_name"),
        reader.Get<string>("role"),
        reader.Get<DateTime>("created_at"),
        reader.Get<DateTime>("updated_at"));
}
