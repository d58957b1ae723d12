using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace WedSync.AppHost.Fleet;

/// <summary>
/// The <c>WedSync:Fleet</c> section: the deployment's shape run locally on request, <c>ApiReplicas</c> API instances
/// and, with <c>PgBouncer</c>, a transaction-mode pooler between them and PostgreSQL. Both off by default.
/// </summary>
public sealed record FleetSettings(int ApiReplicas, bool PgBouncer, string? PgBouncerPath)
{
    public const string SectionName = "WedSync:Fleet";

    public static FleetSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var replicasText = section["ApiReplicas"];
        var replicas = 1;
        if (!string.IsNullOrWhiteSpace(replicasText)
            && (!int.TryParse(replicasText, NumberStyles.Integer, CultureInfo.InvariantCulture, out replicas) || replicas < 1))
        {
            throw new InvalidOperationException($"{SectionName}:ApiReplicas '{replicasText}' is not a whole number of 1 or more.");
        }

        var pooledText = section["PgBouncer"];
        var pooled = false;
        if (!string.IsNullOrWhiteSpace(pooledText) && !bool.TryParse(pooledText, out pooled))
        {
            throw new InvalidOperationException($"{SectionName}:PgBouncer '{pooledText}' is not true or false.");
        }

        var path = section["PgBouncerPath"];
        return new FleetSettings(replicas, pooled, string.IsNullOrWhiteSpace(path) ? null : path);
    }
}
