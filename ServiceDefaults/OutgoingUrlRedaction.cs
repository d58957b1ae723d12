using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps secrets of outgoing URLs out of traces: a webhook or Slack URL carries its credential in the
/// path (hooks.slack.com/services/T…/B…/secret) or the query, and the dashboard shows every client
/// span's url.full to whoever can open it. Client spans keep scheme, host and port; user info, path and query go.
/// </summary>
public sealed class OutgoingUrlRedaction : BaseProcessor<Activity>
{
    public const string Redacted = "/REDACTED";

    // url.full is the current semantic convention; http.url the one older instrumentations still set.
    private static readonly string[] UrlTags = ["url.full", "http.url"];

    public override void OnEnd(Activity data)
    {
        if (data.Kind != ActivityKind.Client)
        {
            return;
        }

        foreach (var tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                // Not GetLeftPart(Authority): that keeps user:password@ of the authority.
                data.SetTag(tag, $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}{Redacted}");
            }
        }

        // The path may also sit in url.path / http.target when an instrumentation sets them.
        foreach (var tag in (string[])["url.path", "http.target", "url.query"])
        {
            if (data.GetTagItem(tag) is not null)
            {
                data.SetTag(tag, Redacted);
            }
        }
    }
}
