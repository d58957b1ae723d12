using Npgsql;

namespace WedSync.Api.Features.Members;

/// <summary>A person of the caller's organization: one row of <c>user_profiles</c>, as every Members use case answers it.</summary>
public sealed record Member(Guid Id, Guid UserId, string Email, string DisplayName, string Role, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>The columns <see cref="Read"/> expects, in its order.</summary>
    public const string Columns = "id, user_id, email, display_name, role, created_at, updated_at";

    public static Member Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetDateTime(5),
        reader.GetDateTime(6));
}
