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

    /// <summary>
    /// With <see cref="Authority"/>: the least time between two fetches of the provider's keys caused by a
    /// token whose key id is unknown (a rotation). Bounds what bogus tokens can make the API ask of the
    /// provider; a rotated key is accepted at the latest this long after the first request that needed it.
    /// The library's default is 5 minutes, during which a key rotated just after any unknown-key token
    /// (a stale client, a probe) was refused.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With <see cref="Authority"/>: how long the provider's key set is used before it is fetched again
    /// anyway. A key the provider withdrew (compromised, retired) stops validating tokens at the latest this
    /// long after; the library's default is 12 hours.
    /// </summary>
    public TimeSpan KeySetMaxAge { get; set; } = TimeSpan.FromHours(1);

    public bool UsesAuthority => !string.IsNullOrWhiteSpace(Authority);
}
