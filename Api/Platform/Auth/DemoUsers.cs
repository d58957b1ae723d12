namespace WedSync.Api.Platform.Auth;

/// <summary>
/// The demo users that Migrations/DevData/0001_demo_organizations.sql seeds in Development, so the
/// <c>token</c> command can be given an email instead of a user id. A test keeps the two lists equal.
/// </summary>
public static class DemoUsers
{
    public static readonly IReadOnlyDictionary<string, Guid> ByEmail = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase)
    {
        ["owner@evergreen.test"] = Guid.Parse("a1111111-0000-4000-8000-000000000001"),
        ["admin@evergreen.test"] = Guid.Parse("a1111111-0000-4000-8000-000000000002"),
        ["member@evergreen.test"] = Guid.Parse("a1111111-0000-4000-8000-000000000003"),
        ["viewer@evergreen.test"] = Guid.Parse("a1111111-0000-4000-8000-000000000004"),
        ["owner@lakeside.test"] = Guid.Parse("b2222222-0000-4000-8000-000000000001"),
        ["member@lakeside.test"] = Guid.Parse("b2222222-0000-4000-8000-000000000002"),
        ["ops@wedsync.test"] = Guid.Parse("c3333333-0000-4000-8000-000000000001"),
    };
}
