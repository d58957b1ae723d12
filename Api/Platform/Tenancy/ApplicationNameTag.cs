namespace WedSync.Api.Platform.Tenancy;

/// <summary>
/// The <c>application_name</c> a tenant request's transaction carries (<c>SET LOCAL</c>, so it ends with the
/// transaction and holds behind a transaction pooler), and its reading by the wait sampler.
/// </summary>
public static class ApplicationNameTag
{
    /// <summary>Followed by the organization id: 16 + 36 characters, inside application_name's 63.</summary>
    public const string OrganizationPrefix = "wedsync-api org=";

    /// <summary>The organization a tagged application_name names, or null.</summary>
    public static Guid? Organization(string? applicationName) =>
        applicationName is not null
        && applicationName.StartsWith(OrganizationPrefix, StringComparison.Ordinal)
        && Guid.TryParseExact(applicationName.AsSpan(OrganizationPrefix.Length), "D", out var id)
            ? id
            : null;
}
