using System.Text.Json;
using WedSync.Api.Features.Monitoring.Advisor;

namespace WedSync.Api.Features.Monitoring.Health.Summary;

/// <summary>
/// get_db_monitoring_summary() as the database computes it, plus the advisor's counts; the advisor's
/// errors are added to the recommendations so that the summary names everything that needs action.
/// <see cref="Partial"/> is true when a part could not be read now; <see cref="Unavailable"/> names each.
/// </summary>
public sealed record Response(
    int HealthScore,
    string Status,
    DateTimeOffset GeneratedAt,
    JsonElement Metrics,
    JsonElement Penalties,
    IReadOnlyList<string> Recommendations,
    FindingCounts Advisor,
    bool Partial,
    IReadOnlyList<string> Unavailable);
