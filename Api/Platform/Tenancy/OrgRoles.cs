namespace WedSync.Api.Platform.Tenancy;

/// <summary>The values of <c>user_profiles.role</c> (its CHECK constraint lists the same four).</summary>
public static class OrgRoles
{
    public const string Owner = "OWNER";
    public const string Admin = "ADMIN";
    public const string Member = "MEMBER";
    public const string Viewer = "VIEWER";

    public static readonly IReadOnlyList<string> All = [Owner, Admin, Member, Viewer];
}
