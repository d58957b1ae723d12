namespace WedSync.Api.Platform.Auth;

/// <summary>
/// Section <c>Auth</c>: how bearer tokens are validated. Either a symmetric <see cref="SigningKey"/>
/// (with <see cref="Issuer"/>) or an OIDC <see cref="Authority"/> such as Entra ID or Supabase.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HMAC-SHA256 wants a key at least as long as its output: 32 bytes.</summary>
    public const int MinimumSigningKeyBytes = 32;

    public string? SigningKey { get; set; }

    public string? Issuer { get; set; }

    public string Audience { get; set; } = "";

    public string? Authority { get; set; }

    /// <summary>Tolerated clock difference between the token issuer and this server.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool UsesAuthority => !string.IsNullOrWhiteSpace(Authority);
}
