using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.Events.ResolveEvent;

/// <summary>Marks an open event resolved; an event resolved already is a conflict, not a second resolution.</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, MonitoringEvent>
{
    private const string ResolveSql = $"""
        UPDATE monitoring_events e SET resolved_at = now(), resolution_notes = @notes
        WHERE e.id = @id AND e.resolved_at IS NULL
        RETURNING {MonitoringEvent.Columns}
        """;

    private const string ExistsSql = "SELECT EXISTS (SELECT 1 FROM monitoring_events WHERE id = @id)";

    public override void Configure()
    {
        Post("/monitoring/events/{id}/resolve");
        Summary(s =>
        {
            s.Summary = "Resolve a monitoring event (platform admins)";
            s.Responses[StatusCodes.Status200OK] = "The event as resolved.";
            s.Responses[StatusCodes.Status404NotFound] = "No event with this id.";
            s.Responses[StatusCodes.Status409Conflict] = "The event is resolved already.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        MonitoringEvent? resolved = null;
        await using (var command = Session.CreateCommand(ResolveSql))
        {
            command.Parameters.AddWithValue("id", req.Id);
            command.Parameters.Add(new NpgsqlParameter("notes", NpgsqlDbType.Text) { Value = (object?)req.ResolutionNotes ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                resolved = MonitoringEvent.Read(reader);
            }
        }

        if (resolved is not null)
        {
            await Send.OkAsync(resolved, ct);
            return;
        }

        await using var exists = Session.CreateCommand(ExistsSql);
        exists.Parameters.AddWithValue("id", req.Id);
        if (await exists.ExecuteScalarAsync(ct) is true)
        {
            await Send.ProblemAsync(StatusCodes.Status409Conflict, "This event is resolved already.");
        }
        else
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No monitoring event with this id.");
        }
    }
}
