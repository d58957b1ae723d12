using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sessions.Connections;

/// <summary>Client connections by database and state, and server-wide utilization against max_connections.</summary>
public sealed class Endpoint : MonitoringEndpoint<EmptyRequest, Response>
{
    private const string Sql = """
        SELECT database_name, state, connection_count, waiting_on_lock, extract(epoch FROM longest_in_state)::float8,
               total_connections, max_connections, reserved_connections, utilization_pct
        FROM monitoring_connections
        ORDER BY connection_count DESC, database_name, state
        """;

    private const string SettingsSql = """
        SELECT current_setting('max_connections')::integer, current_setting('superuser_reserved_connections')::integer
        """;

    public override void Configure()
    {
        Get("/monitoring/connections");
        Summary(s => s.Summary = "Connections by database and state, utilization of max_connections (platform admins)");
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        var groups = new List<ConnectionGroup>();
        int total = 0, max = 0, reserved = 0;
        decimal utilization = 0;
        await using (var command = Session.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                groups.Add(new ConnectionGroup(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetDouble(4)));
                total = reader.GetInt32(5);
                max = reader.GetInt32(6);
                reserved = reader.GetInt32(7);
                utilization = reader.GetDecimal(8);
            }
        }

        if (groups.Count == 0)
        {
            // No client backend at all is impossible while we are connected, but the settings must not read as zero.
            await using var command = Session.CreateCommand(SettingsSql);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (max, reserved) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        await Send.OkAsync(new Response(total, max, reserved, utilization, groups), ct);
    }
}
