namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// Findings by level, accepted exceptions left out; <see cref="Accepted"/> counts those separately.
/// </summary>
public sealed record FindingCounts(int Errors, int Warnings, int Info, int Accepted = 0)
{
    public static FindingCounts Of(IReadOnlyList<Finding> findings) => new(
        findings.Count(f => f.Level == FindingLevels.Error),
        findings.Count(f => f.Level == FindingLevels.Warn),
        findings.Count(f => f.Level == FindingLevels.Info));

    public static FindingCounts Of(AdvisorResult result) => Of(result.Findings) with { Accepted = result.Accepted.Count };
}

/// <summary>A finding that a comment in the catalog accepts (<c>advisor: allow &lt;check&gt;: &lt;reason&gt;</c>), with that reason.</summary>
public sealed record AcceptedFinding(string Level, string Check, string Object, string Why, string Remedy, string Reason);

/// <summary>
/// What one advisor run found: the findings that count, the accepted exceptions apart, and the checks
/// it could not run now (a lock or time bound hit), whose findings are missing from this answer.
/// </summary>
public sealed record AdvisorResult(IReadOnlyList<Finding> Findings, IReadOnlyList<AcceptedFinding> Accepted, IReadOnlyList<string> Unavailable);

/// <summary>
/// The advisor's answer. <see cref="Findings"/> and <see cref="Counts"/> hold what needs attention;
/// findings accepted by a comment in the catalog are in <see cref="Accepted"/> only, with their reason.
/// </summary>
/// <see cref="Partial"/> is true when some checks could not run now (<see cref="Unavailable"/> names them: a lock or time bound hit).
public sealed record Response(
    IReadOnlyList<Finding> Findings,
    FindingCounts Counts,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<AcceptedFinding> Accepted,
    bool Partial,
    IReadOnlyList<string> Unavailable);
