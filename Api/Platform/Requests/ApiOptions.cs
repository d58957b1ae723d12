using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Platform.Requests;

/// <summary>Section <c>Api</c>: limits on what a request may send.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Bodies above this are refused (400) before any of them is parsed. 64 KiB by default.</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;
}
