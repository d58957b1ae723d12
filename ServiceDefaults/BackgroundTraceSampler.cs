using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps the dashboard's traces readable with nobody calling: a child follows its parent (as the default
/// sampler does); an unparented client span (a background loop's poll of the database or an outgoing call
/// outside any pass) is never a trace of its own; a background pass (<see cref="BackgroundTraces"/>) is kept
/// when notable, otherwise at most one every <see cref="BackgroundTraceOptions.Spacing"/> across loops and one
/// every <see cref="BackgroundTraceOptions.PerLoop"/> per loop; every other root (a request) is kept.
/// </summary>
public sealed class BackgroundTraceSampler(BackgroundTraceOptions options, TimeProvider time) : Sampler
{
    private readonly Dictionary<string, long> lastKeptPerLoop = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private long lastKept = long.MinValue;

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var parent = samplingParameters.ParentContext;
        if (parent.TraceId != default)
        {
            return new SamplingResult((parent.TraceFlags & ActivityTraceFlags.Recorded) != 0);
        }

        string? loop = null;
        var notable = false;
        if (samplingParameters.Tags is { } tags)
        {
            foreach (var (key, value) in tags)
            {
                if (key == BackgroundTraces.LoopTag)
                {
                    loop = value as string;
                }
                else if (key == BackgroundTraces.NotableTag)
                {
                    notable = value is true;
                }
            }
        }

        if (loop is null)
        {
            // Requests (server spans) and the app's own operations are traces; a lone client span is a loop's poll.
            return new SamplingResult(samplingParameters.Kind != ActivityKind.Client);
        }

        return new SamplingResult(notable || TakeTurn(loop));
    }

    private bool TakeTurn(string loop)
    {
        var now = time.GetTimestamp();
        lock (gate)
        {
            if (lastKept != long.MinValue && time.GetElapsedTime(lastKept, now) < options.Spacing)
            {
                return false;
            }

            if (lastKeptPerLoop.TryGetValue(loop, out var last) && time.GetElapsedTime(last, now) < options.PerLoop)
            {
                return false;
            }

            lastKept = now;
            lastKeptPerLoop[loop] = now;
            return true;
        }
    }
}

/// <summary>How many background passes become traces (configuration section Telemetry:BackgroundTraces).</summary>
public sealed class BackgroundTraceOptions
{
    public const string Section = "Telemetry:BackgroundTraces";

    /// <summary>At most one kept pass in this time, across all loops (zero: no limit).</summary>
    public TimeSpan Spacing { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>At most one kept pass of the same loop in this time (zero: no limit).</summary>
    public TimeSpan PerLoop { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Read by hand, not with ConfigurationBinder: the migrator references this project and ships Native AOT.</summary>
    public static BackgroundTraceOptions From(IConfiguration section)
    {
        var options = new BackgroundTraceOptions();
        options.Spacing = Read(section, nameof(Spacing), options.Spacing);
        options.PerLoop = Read(section, nameof(PerLoop), options.PerLoop);
        return options;
    }

    private static TimeSpan Read(IConfiguration section, string key, TimeSpan fallback) =>
        section[key] is { Length: > 0 } text
            ? TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
                ? value
                : throw new InvalidOperationException($"{BackgroundTraceOptions.Section}:{key} must be a time span like 00:00:15, not '{text}'.")
            : fallback;
}
