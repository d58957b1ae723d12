using WedSync.Api.Platform.Auth;

namespace WedSync.Api.Platform.Tenancy;

/// <summary>
/// Who is asking: the token's subject and platform roles, and the organization and org role that
/// <c>user_profiles</c> gives that subject (never taken from the client).
/// </summary>
public sealed record Caller(Guid? UserId, IReadOnlyList<string> PlatformRoles, Guid? OrganizationId, string? OrgRole)
{
    public bool HasProfile => OrganizationId is not null;

    public bool IsOrgAdmin => OrgRole is OrgRoles.Owner or OrgRoles.Admin;

    public bool IsOrgOwner => OrgRole is OrgRoles.Owner;

    public bool IsPlatformAdmin => PlatformRoles.Contains(ClaimNames.PlatformAdmin);

    public bool IsService => PlatformRoles.Contains(ClaimNames.Service);
}
