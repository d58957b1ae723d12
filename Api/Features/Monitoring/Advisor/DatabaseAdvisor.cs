using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Database;

namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// Runs every check of <see cref="AdvisorCatalog"/> and <see cref="SplinterChecks"/>, and reads the
/// catalog's accepted exceptions (<see cref="AcceptedExceptions"/>), in one round trip. It reads the
/// catalogs as the API's own login, not the request role: callers check platform_admin before asking.
/// </summary>
public sealed class DatabaseAdvisor(MonitoringDatabase database)
{
    private static readonly AdvisorCheck[] Checks = [.. AdvisorCatalog.Checks, .. SplinterChecks.Checks];

    /// <summary>
    /// Every check, in as few round trips as the database allows: a check that hits a lock or time bound
    /// (a relation locked by an ALTER, say) is named in <see cref="AdvisorResult.Unavailable"/> and the
    /// rest run on in a new transaction, so one locked table costs one check, never the whole answer.
    /// </summary>
    public async Task<AdvisorResult> RunAsync(CancellationToken ct)
    {
        var findings = new List<Finding>();
        var unavailable = new List<string>();
        var annotations = new List<Annotation>();
        var next = 0;
        var annotationsRead = false;
        while (!annotationsRead)
        {
            var first = next;
            var (connection, transaction) = await database.BeginAsync(ct);
            await using (connection)
            await using (transaction)
            {
                try
                {
                    await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { database.BoundsCommand() } };
                    foreach (var check in Checks.Skip(first))
                    {
                        batch.BatchCommands.Add(new NpgsqlBatchCommand(Named(check.Sql)));
                    }

                    batch.BatchCommands.Add(new NpgsqlBatchCommand(AcceptedExceptions.Sql));
                    await using var reader = await batch.ExecuteReaderAsync(ct);
                    for (; next < Checks.Length; next++)
                    {
                        await reader.NextResultAsync(ct);
                        var check = Checks[next];
                        while (await reader.ReadAsync(ct))
                        {
                            var detail = reader.GetOrNull<string>("detail");
                            findings.Add(new Finding(reader.Get<string>("level"), check.Name, reader.Get<string>("object_name"),
                                detail is null ? check.Why : $"{check.Why} ({detail})", check.Remedy));
                        }
                    }

                    await reader.NextResultAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        if (reader.GetOrNull<string>("object_name") is { } annotated)
                        {
                            annotations.AddRange(AcceptedExceptions.Parse(reader.Get<string>("description")).Select(a => new Annotation(annotated, a.Check, a.Reason)));
                        }
                    }

                    annotationsRead = true;
                }
                catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception))
                {
                    // The statement at `next` gave up (the bounds statement never does); go on after it.
                    if (next < Checks.Length)
                    {
                        unavailable.Add(Checks[next].Name);
                        next++;
                    }
                    else
                    {
                        unavailable.Add(AcceptedExceptionsSection);
                        annotationsRead = true;
                    }
                }
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

        return new AdvisorResult(counted, accepted, unavailable);
    }

    /// <summary>The name under which unread accepted exceptions are reported.</summary>
    public const string AcceptedExceptionsSection = "accepted_exceptions";

    // Each check's query answers (object, level, detail) in that order (AdvisorCheck); they are named here, once, so the rows are read by name.
    private static string Named(string sql) => $"SELECT f.object_name, f.level, f.detail FROM ({sql}) AS f(object_name, level, detail)";

    private static IEnumerable<Finding> Ordered(IEnumerable<Finding> findings) => findings
        .OrderBy(f => f.Level switch { FindingLevels.Error => 0, FindingLevels.Warn => 1, _ => 2 })
        .ThenBy(f => f.Check, StringComparer.Ordinal)
        .ThenBy(f => f.Object, StringComparer.Ordinal);
}
