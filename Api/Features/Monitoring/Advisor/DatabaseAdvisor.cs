using Npgsql;

namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// Runs every check of <see cref="AdvisorCatalog"/> and <see cref="SplinterChecks"/>, and reads the
/// catalog's accepted exceptions (<see cref="AcceptedExceptions"/>), in one round trip. It reads the
/// catalogs as the API's own login, not the request role: callers check platform_admin before asking.
/// </summary>
public sealed class DatabaseAdvisor(NpgsqlDataSource dataSource)
{
    private static readonly AdvisorCheck[] Checks = [.. AdvisorCatalog.Checks, .. SplinterChecks.Checks];

    public async Task<AdvisorResult> RunAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var check in Checks)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(check.Sql));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(AcceptedExceptions.Sql));

        var findings = new List<Finding>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var check in Checks)
        {
            while (await reader.ReadAsync(ct))
            {
                var detail = reader.IsDBNull(2) ? null : reader.GetString(2);
                findings.Add(new Finding(reader.GetString(1), check.Name, reader.GetString(0),
                    detail is null ? check.Why : $"{check.Why} ({detail})", check.Remedy));
            }

            await reader.NextResultAsync(ct);
        }

        var annotations = new List<Annotation>();
        while (await reader.ReadAsync(ct))
        {
            if (!reader.IsDBNull(0))
            {
                var annotated = reader.GetString(0);
                annotations.AddRange(AcceptedExceptions.Parse(reader.GetString(1)).Select(a => new Annotation(annotated, a.Check, a.Reason)));
            }
        }

        var counted = new List<Finding>();
        var accepted = new List<AcceptedFinding>();
        foreach (var finding in Ordered(findings))
        {
            if (AcceptedExceptions.ReasonFor(finding, annotations) is { } reason)
            {
                accepted.Add(new AcceptedFinding(finding.Level, finding.Check, finding.Object, finding.Why, finding.Remedy, reason));
            }
            else
            {
                counted.Add(finding);
            }
        }

        return new AdvisorResult(counted, accepted);
    }

    private static IEnumerable<Finding> Ordered(IEnumerable<Finding> findings) => findings
        .OrderBy(f => f.Level switch { FindingLevels.Error => 0, FindingLevels.Warn => 1, _ => 2 })
        .ThenBy(f => f.Check, StringComparer.Ordinal)
        .ThenBy(f => f.Object, StringComparer.Ordinal);
}
