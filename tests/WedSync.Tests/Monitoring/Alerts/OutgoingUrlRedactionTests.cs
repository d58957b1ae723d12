using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// Issue 22, kind 7, in traces: a Slack or webhook URL carries its secret in the path, and the HttpClient
/// span's url.full reached the dashboard with it. A real request through HttpClient, traced by the same
/// instrumentation and processor the services use, leaves a span with scheme, host and port only.
/// </summary>
public sealed class OutgoingUrlRedactionTests
{
    [Fact]
    public async Task A_webhook_request_span_keeps_the_host_and_drops_the_secret_path_and_query()
    {
        var spans = new List<Activity>();
        string authority;
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddHttpClientInstrumentation()
            .AddProcessor(new OutgoingUrlRedaction())
            .AddProcessor(new Capture(spans))
            .Build())
        {
            await using var receiver = new WebhookReceiver().Start();
            authority = new Uri(receiver.Url).GetLeftPart(UriPartial.Authority);
            using var toReceiver = new HttpClient();
            var secretUrl = receiver.Url + "services/T0SECRET/B0SECRET/xoxb-S3cretToken?token=S3cretQuery";
            using var response = await toReceiver.PostAsync(secretUrl, new StringContent("{}"));
            Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
            tracing.ForceFlush();
        }

        // Other tests' HttpClient calls run in parallel and reach this provider too: keep the receiver's own.
        Activity[] mine;
        lock (spans)
        {
            mine = spans.Where(s => s.Kind == ActivityKind.Client
                && s.GetTagItem("url.full") is string url && url.StartsWith(authority + "/", StringComparison.Ordinal)).ToArray();
        }

        var span = Assert.Single(mine);
        var tags = span.TagObjects.Where(t => t.Value is string).ToDictionary(t => t.Key, t => (string)t.Value!);
        Assert.True(tags.ContainsKey("url.full"), string.Join(", ", tags.Keys));
        Assert.Equal(authority + OutgoingUrlRedaction.Redacted, tags["url.full"]);
        Assert.DoesNotContain(tags, t => t.Value.Contains("S3cret", StringComparison.Ordinal) || t.Value.Contains("SECRET", StringComparison.Ordinal));
        Assert.DoesNotContain("S3cret", span.DisplayName, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://replicator:S3cretPw@hooks.example.com:8443/services/T0/B0/S3cret?sig=S3cret", "https://hooks.example.com:8443/REDACTED")]
    [InlineData("https://hooks.slack.com/services/T0/B0/S3cret", "https://hooks.slack.com/REDACTED")]
    public void User_info_path_and_query_of_a_client_span_are_removed(string url, string expected)
    {
        using var source = new ActivitySource("redaction-test");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "redaction-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var span = source.StartActivity("POST", ActivityKind.Client)!;
        span.SetTag("url.full", url);
        span.SetTag("url.path", "/services/T0/B0/S3cret");
        span.Stop();

        new OutgoingUrlRedaction().OnEnd(span);

        Assert.Equal(expected, span.GetTagItem("url.full"));
        Assert.Equal(OutgoingUrlRedaction.Redacted, span.GetTagItem("url.path"));
    }

    private sealed class Capture(List<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            lock (spans)
            {
                spans.Add(data);
            }
        }
    }
}
