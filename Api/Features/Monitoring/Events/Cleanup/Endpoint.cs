using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Events.Cleanup;

/// <summary>Runs the retention clean-up now (the sampler also runs it on a schedule).</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    private const string Sql = """
        SELECT cleanup_monitoring_data(
            coalesce(make_interval(days => @resolved), interval '30 days'),
            coalesce(make_interval(days => @unresolved), interval '7 days'))
        """;

    public override void Configure()
    {
        Post("/monitoring/cleanup");
        Summary(s =>
        {
            s.Summary = "Delete monitoring events past retention (platform admins)";
            s.Description = "Resolved events older than resolvedRetentionDays (default 30), unresolved ones older than unresolvedRetentionDays (default 7); never a younger event.";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        int removed;
        await using (var command = Session.CreateCommand(Sql))
        {
            command.Parameters.Add(new NpgsqlParameter("resolved", NpgsqlDbType.Integer) { Value = (object?)req.ResolvedRetentionDays ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("unresolved", NpgsqlDbType.Integer) { Value = (object?)req.UnresolvedRetentionDays ?? DBNull.Value });
            removed = (int)(await command.ExecuteScalarAsync(ct))!;
        }

        await Send.OkAsync(new Response(removed), ct);
    }
}
