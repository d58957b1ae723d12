using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Platform.RateLimiting;

/// <summary>Section <c>RateLimiting</c>: requests per minute per user, and per IP address for anonymous callers.</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    [Range(1, 1_000_000)]
    public int PermitsPerMinute { get; set; } = 600;

    [Range(1, 1_000_000)]
    public int AnonymousPermitsPerMinute { get; set; } = 120;
}
