namespace WedSync.Api.Features.Monitoring.Advisor;

public sealed record FindingCounts(int Errors, int Warnings, int Info)
{
    public static FindingCounts Of(IReadOnlyList<Finding> findings) => new(
        findings.Count(f => f.Level == FindingLevels.Error),
        findings.Count(f => f.Level == FindingLevels.Warn),
        findings.Count(f => f.Level == FindingLevels.Info));
}

public sealed record Response(IReadOnlyList<Finding> Findings, FindingCounts Counts, DateTimeOffset GeneratedAt);
