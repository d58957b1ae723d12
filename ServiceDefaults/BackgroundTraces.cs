using System.Diagnostics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Background loops (samplers, detector, sweeps, outbox delivery) trace a pass as one root activity of
/// the <see cref="SourceName"/> source, so that its database and HTTP calls sit under it instead of each
/// being a trace of its own. <see cref="BackgroundTraceSampler"/> keeps a few of those passes, all notable ones.
/// </summary>
public static class BackgroundTraces
{
    public const string SourceName = "WedSync.Background";

    /// <summary>The loop a pass belongs to (the sampler keeps a few passes per loop).</summary>
    public const string LoopTag = "wedsync.background.loop";

    /// <summary>Set at start on a pass that did real work (a delivery): always kept.</summary>
    public const string NotableTag = "wedsync.background.notable";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Starts a pass of <paramref name="loop"/> as a new root (never a child of whatever happened to be
    /// current when the loop started); null when it is not sampled, and then its calls are not traced either.
    /// </summary>
    public static Activity? StartPass(string loop, bool notable = false)
    {
        // A loop's ExecuteAsync may inherit the activity current at host start: a pass is a trace of its own.
        Activity.Current = null;
        KeyValuePair<string, object?>[] tags = notable
            ? [new(LoopTag, loop), new(NotableTag, true)]
            : [new(LoopTag, loop)];
        return Source.StartActivity($"background {loop}", ActivityKind.Internal, parentContext: default, tags);
    }
}
