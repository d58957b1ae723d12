using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace WedSync.Api.Platform.Requests;

/// <summary>
/// The request line and headers are limited by the API, not by Kestrel: Kestrel refuses an oversized line
/// (414) or header block (431) before any middleware runs, with no body. Kestrel's own limits are set to
/// <see cref="KestrelFactor"/> times these, so a request over them reaches this check and is answered with
/// an RFC 9457 problem; only a request over Kestrel's wider bound still gets its bare answer.
/// </summary>
public static class RequestHeadLimits
{
    /// <summary>Method, target and protocol of the first line: Kestrel's default.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>All header names and values together: Kestrel's default.</summary>
    public const int MaxHeadersTotalBytes = 32 * 1024;

    /// <summary>Kestrel's default.</summary>
    public const int MaxHeaderCount = 100;

    public const int KestrelFactor = 4;

    public static void WidenKestrel(KestrelServerLimits limits)
    {
        limits.MaxRequestLineSize = MaxRequestLineBytes * KestrelFactor;
        limits.MaxRequestHeadersTotalSize = MaxHeadersTotalBytes * KestrelFactor;
        limits.MaxRequestHeaderCount = MaxHeaderCount * KestrelFactor;
    }

    /// <summary>The status and detail of a request whose line or headers are over the limits; null when within.</summary>
    public static (int Status, string Detail)? Check(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.PathBase}{request.Path}{request.QueryString}";
        // "GET /path?query HTTP/1.1" with its line end, as Kestrel counts it.
        var lineBytes = request.Method.Length + 1 + target.Length + 1 + request.Protocol.Length + 2;
        if (lineBytes > MaxRequestLineBytes)
        {
            return (StatusCodes.Status414UriTooLong,
                $"The request line is {lineBytes} bytes; this API accepts at most {MaxRequestLineBytes}. Send long filters in a request body.");
        }

        long headerBytes = 0;
        var headerCount = 0;
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                headerCount++;
                // "Name: value" and the line end.
                headerBytes += name.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }

        if (headerBytes > MaxHeadersTotalBytes)
        {
            return (StatusCodes.Status431RequestHeaderFieldsTooLarge,
                $"The request headers are {headerBytes} bytes; this API accepts at most {MaxHeadersTotalBytes}.");
        }

        if (headerCount > MaxHeaderCount)
        {
            return (StatusCodes.Status431RequestHeaderFieldsTooLarge,
                $"The request has {headerCount} header lines; this API accepts at most {MaxHeaderCount}.");
        }

        return null;
    }
}
