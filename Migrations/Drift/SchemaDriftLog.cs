using Microsoft.Extensions.Logging;
using Npgsql;

namespace WedSync.Migrations.Drift;

/// <summary>
/// What <c>up</c> does about drift: before applying, it names the objects changed outside migrations
/// since the last run (a successful run then records them as the new baseline, so the log is where
/// they stay visible); after the run, it records the fingerprint.
/// </summary>
public static class SchemaDriftLog
{
    /// <summary>Logs a warning per drifted object; returns how many there were.</summary>
    public static async Task<int> WarnAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken cancellationToken)
    {
        var report = await SchemaFingerprintStore.CompareAsync(dataSource, cancellationToken);
        foreach (var drifted in report.Objects)
        {
            logger.LogWarning("Schema drift since the fingerprint of {RecordedAt:u}: {Kind} {Name} {Change} outside migrations; a successful up records it as it is now",
                report.RecordedAt, SchemaDriftText.Word(drifted.Kind), drifted.Name, SchemaDriftText.Word(drifted.Change));
        }

        return report.Objects.Count;
    }

    public static async Task RecordAsync(NpgsqlDataSource dataSource, int acceptedDrift, ILogger logger, CancellationToken cancellationToken)
    {
        var count = await SchemaFingerprintStore.RecordAsync(dataSource, cancellationToken);
        logger.LogInformation("Recorded the schema fingerprint: {Count} objects ({Accepted} drifted objects accepted)", count, acceptedDrift);
    }
}
