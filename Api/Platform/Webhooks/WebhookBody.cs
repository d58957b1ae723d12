using System.Text.Json;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>The request body a subscription's format asks for.</summary>
public static class WebhookBody
{
    public const string Standard = "standard";
    public const string Slack = "slack";

    public static readonly string[] Formats = [Standard, Slack];

    /// <summary>
    /// <c>standard</c>: the message as stored (<c>{"type", "timestamp", "data"}</c>, the Standard Webhooks
    /// shape); <c>slack</c>: <c>{"text": summary}</c>, which Slack's (and Mattermost's, Teams' workflow)
    /// incoming webhooks accept. Both are signed the same way.
    /// </summary>
    public static string For(OutboxMessage message) => message.Format switch
    {
        Slack => JsonSerializer.Serialize(new SlackBody(message.Summary), WebhookJson.Options),
        _ => message.Payload,
    };

    private sealed record SlackBody(string Text);
}

internal static class WebhookJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
