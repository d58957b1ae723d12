namespace WedSync.Api.Platform.Auth;

/// <summary>The token claims the platform reads; SQL reads the same names from request.jwt.claims.</summary>
public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Roles = "roles";
    public const string Email = "email";

    public const string PlatformAdmin = "platform_admin";
    public const string Service = "service";
}
