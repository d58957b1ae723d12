using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// The request body a subscription's format asks for. The stored message is already redacted
/// (webhook_outbox_redact, the events endpoints' rule); this escapes it for where it is going.
/// </summary>
public static partial class WebhookBody
{
    public const string Standard = "standard";
    public const string Slack = "slack";

    public static readonly string[] Formats = [Standard, Slack];

    /// <summary>
    /// <c>standard</c>: the message as stored (<c>{"type", "timestamp", "data"}</c>, the Standard Webhooks
    /// shape) with &lt;, &gt; and &amp; as \u escapes; <c>slack</c>: <c>{"text": summary}</c> escaped for
    /// Slack's mrkdwn, without link previews, which Slack's (and Mattermost's, Teams' workflow) incoming
    /// webhooks accept. Both are signed the same way.
    /// </summary>
    public static string For(OutboxMessage message) => message.Format switch
    {
        Slack => JsonSerializer.Serialize(new SlackBody(SlackText(message.Summary)), WebhookJson.Options),
        _ => EscapeMarkupInJson(message.Payload),
    };

    /// <summary>
    /// Slack's control sequences (&lt;!channel&gt;, &lt;@U123&gt;, &lt;http://x|masked link&gt;) start with &lt;; its docs ask
    /// for &amp;, &lt; and &gt; to be escaped in text. @channel-style words notify in Mattermost: a zero-width
    /// space after the @ keeps them readable and inert.
    /// </summary>
    public static string SlackText(string text) =>
        BroadcastMention().Replace(
            text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal),
            "@\u200B$1");

    // In JSON text these three can only stand inside strings, where \u003c means the same: receivers that
    // paste the raw body into HTML or chat get no markup from it.
    private static string EscapeMarkupInJson(string json)
    {
        if (json.AsSpan().IndexOfAny("<>&") < 0)
        {
            return json;
        }

        var escaped = new StringBuilder(json.Length + 32);
        foreach (var c in json)
        {
            _ = c switch
            {
                '<' => escaped.Append("\\u003c"),
                '>' => escaped.Append("\\u003e"),
                '&' => escaped.Append("\\u0026"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    [GeneratedRegex(@"@(channel|here|everyone|all)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BroadcastMention();

    private sealed record SlackBody(string Text)
    {
        [JsonPropertyName("unfurl_links")]
        public bool UnfurlLinks => false;

        [JsonPropertyName("unfurl_media")]
        public bool UnfurlMedia => false;
    }
}

internal static class WebhookJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
