using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Migrations.Drift;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// The sampler's view of live-schema drift: every <see cref="MonitoringOptions.SchemaDriftInterval"/>
/// it compares the schema with the fingerprint the migrator recorded after its last successful run,
/// and between comparisons it repeats the last answer. A drift is one condition whose key is a hash of
/// the drifted objects and their definitions, so <see cref="ConditionEvents"/> records one
/// <c>schema_drift</c> event per drift (not one per tick), a different drift (another object, or the
/// same object changed again) as a new event, and resolves the event once the drift is gone (reverted
/// by hand, or made by a migration whose run recorded the new fingerprint).
/// </summary>
public sealed class SchemaDriftWatch(NpgsqlDataSource dataSource, IOptions<MonitoringOptions> options, TimeProvider time, ILogger<SchemaDriftWatch> logger)
{
    public const string EventType = "schema_drift";

    /// <summary>Objects named in the event's data; the rest are counted (GET /api/migrations lists them all).</summary>
    public const int ObjectsInEvent = 50;

    private DateTimeOffset nextCheck = DateTimeOffset.MinValue;
    private SampledCondition? last;

    /// <summary>The drift condition of this tick (none when the schema is the fingerprint, or none was recorded).</summary>
    public async Task<IReadOnlyList<SampledCondition>> ConditionsAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now >= nextCheck)
        {
            try
            {
                last = ConditionOf(await SchemaFingerprintStore.CompareAsync(dataSource, ct));
                nextCheck = now + options.Value.SchemaDriftInterval;
            }
            catch (NpgsqlException exception)
            {
                // Keep the last answer: a failed comparison must neither resolve nor re-open the event.
                logger.LogWarning(exception, "Schema drift comparison failed; keeping the last result");
            }
        }

        return last is null ? [] : [last];
    }

    private static SampledCondition? ConditionOf(SchemaDriftReport report)
    {
        if (!report.Drifted)
        {
            return null;
        }

        var identity = string.Join('\n', report.Objects.Select(o => $"{SchemaDriftText.Word(o.Kind)}|{o.Name}|{SchemaDriftText.Word(o.Change)}|{o.Live}"));
        var key = "schema_drift:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
        var data = JsonSerializer.Serialize(new
        {
            fingerprintRecordedAt = report.RecordedAt,
            objectCount = report.Objects.Count,
            objects = report.Objects.Take(ObjectsInEvent).Select(o => new { kind = SchemaDriftText.Word(o.Kind), name = o.Name, change = SchemaDriftText.Word(o.Change) }),
        });
        // medium: worth a look and an alert to subscribers of medium and above, but no outage; it costs the health score nothing.
        return new SampledCondition(key, EventType, "medium", data);
    }
}
