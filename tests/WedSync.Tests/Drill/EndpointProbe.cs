using System.Diagnostics;
using System.Net.Http.Headers;
using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Drill;

/// <summary>
/// An operator refreshing the monitoring endpoints (bearer token) and console pages (the console's cookie)
/// while an incident runs: every answer's status and latency, per path.
/// </summary>
public sealed class EndpointProbe(HttpClient api, string token, string consoleCookie, IReadOnlyList<string> paths)
{
    public sealed record Sample(string Path, int Status, double Ms);

    public async Task<IReadOnlyList<Sample>> RunAsync(CancellationToken stop)
    {
        var samples = new List<Sample>();
        while (!stop.IsCancellationRequested)
        {
            foreach (var path in paths)
            {
                using var request = path.StartsWith("/console", StringComparison.Ordinal)
                    ? new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Cookie", consoleCookie } } }
                    : ApiCalls.Request(HttpMethod.Get, path, token);
                request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
                var clock = Stopwatch.StartNew();
                int status;
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
                    using var response = await api.SendAsync(request, timeout.Token);
                    await response.Content.ReadAsByteArrayAsync(timeout.Token);
                    status = (int)response.StatusCode;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                }

                samples.Add(new Sample(path, status, clock.Elapsed.TotalMilliseconds));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        }

        return samples;
    }

    public static double P99(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1)];
    }
}
