using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api.Support;

public sealed record TestMember(Guid Id, Guid UserId, string Role, string Email)
{
    public string Token(params string[] roles) => TestTokens.For(UserId, roles);
}

/// <summary>
/// An organization of its own for one test, with one member per role asked for, inserted through the
/// owner connection (which RLS does not filter), so tests never depend on each other's rows.
/// </summary>
public sealed record TestOrganization(Guid Id, string Slug, IReadOnlyList<TestMember> Members)
{
    public TestMember this[string role] => Members.First(member => member.Role == role);

    public static async Task<TestOrganization> CreateAsync(AppHostFixture fixture, params string[] roles)
    {
        await using var connection = fixture.OpenDatabase();
        var id = Guid.NewGuid();
        var slug = $"test-{id:N}";
        await using (var command = new NpgsqlCommand("INSERT INTO organizations (id, name, slug) VALUES (@id, @name, @slug)", connection))
        {
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("name", $"Test organization {slug}");
            command.Parameters.AddWithValue("slug", slug);
            await command.ExecuteNonQueryAsync();
        }

        var members = new List<TestMember>();
        foreach (var role in roles.Length == 0 ? ["OWNER"] : roles)
        {
            var member = new TestMember(Guid.NewGuid(), Guid.NewGuid(), role, $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.invalid");
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO user_profiles (id, user_id, organization_id, role, email, display_name)
                VALUES (@id, @userId, @organizationId, @role, @email, @displayName)
                """,
                connection);
            command.Parameters.AddWithValue("id", member.Id);
            command.Parameters.AddWithValue("userId", member.UserId);
            command.Parameters.AddWithValue("organizationId", id);
            command.Parameters.AddWithValue("role", role);
            command.Parameters.AddWithValue("email", member.Email);
            command.Parameters.AddWithValue("displayName", $"{role} of {slug}");
            await command.ExecuteNonQueryAsync();
            members.Add(member);
        }

        return new TestOrganization(id, slug, members);
    }
}
