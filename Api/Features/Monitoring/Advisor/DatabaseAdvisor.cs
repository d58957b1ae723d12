using Npgsql;

namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// Runs every check of <see cref="AdvisorCatalog"/> in one round trip. It reads the catalogs as the
/// API's own login, not the request role: callers check platform_admin before asking.
/// </summary>
public sealed class DatabaseAdvisor(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<Finding>> RunAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var check in AdvisorCatalog.Checks)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(check.Sql));
        }

        var findings = new List<Finding>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var check in AdvisorCatalog.Checks)
        {
            while (await reader.ReadAsync(ct))
            {
                var detail = reader.IsDBNull(2) ? null : reader.GetString(2);
                findings.Add(new Finding(reader.GetString(1), check.Name, reader.GetString(0),
                    detail is null ? check.Why : $"{check.Why} ({detail})", check.Remedy));
            }

            await reader.NextResultAsync(ct);
        }

        return findings
            .OrderBy(f => f.Level switch { FindingLevels.Error => 0, FindingLevels.Warn => 1, _ => 2 })
            .ThenBy(f => f.Check, StringComparer.Ordinal)
            .ThenBy(f => f.Object, StringComparer.Ordinal)
            .ToList();
    }
}
