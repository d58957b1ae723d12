using Microsoft.Extensions.DependencyInjection;

namespace WedSync.AppHost;

/// <summary>
/// What the AppHost last learned about pending scripts, so <c>up</c> can be disabled when there is nothing to
/// apply without a database round trip on every dashboard refresh.
/// </summary>
public sealed class PendingScripts
{
    private volatile int _known = Unknown;
    private const int Unknown = 0;
    private const int None = 1;
    private const int Some = 2;

    /// <summary>
    /// Nothing pending: the last status or plan showed none, or, with nothing learned yet, the migrator's own
    /// <c>up</c> finished with exit code 0.
    /// </summary>
    public bool NothingPending(CustomResourceSnapshot snapshot) => _known switch
    {
        None => true,
        Some => false,
        _ => snapshot.State?.Text == KnownResourceStates.Finished && snapshot.ExitCode == 0,
    };

    /// <summary>Learns from a status or plan run and republishes the resource, so the dashboard re-evaluates <c>up</c>.</summary>
    public async Task LearnAsync(IServiceProvider services, IResource resource, string verb, MigratorRun run)
    {
        if (!run.Succeeded && run.Output.Length == 0)
        {
            return;
        }

        _known = HasPending(verb, run.Output.Trim()) ? Some : None;
        await services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(resource, s => s);
    }

    // plan prints "No pending scripts." (JSON: []); status marks a pending request or script "pending".
    private static bool HasPending(string verb, string output) => verb == "plan"
        ? output is not ("No pending scripts." or "[]" or "")
        : output.Contains("| pending |", StringComparison.Ordinal) || output.Contains("\"pending\"", StringComparison.Ordinal);
}
