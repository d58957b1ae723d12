using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Sessions;

/// <summary>
/// Signals a backend through monitoring_signal_backend in a tenant session: the function checks the
/// target, signals it with the owner's rights and records the audit event naming the actor (from the
/// session's claims), in the session's transaction. Shared by POST /api/monitoring/sessions/{pid}/cancel|terminate
/// and the console's Locks page, so both record the same event.
/// </summary>
public static class SessionSignal
{
    private const string Sql = """
        SELECT set_config('request.client_ip', @ip, true), set_config('request.user_agent', @agent, true);
        SELECT status, event_id FROM monitoring_signal_backend(@pid, @action);
        """;

    /// <summary>
    /// Status signalled or gone (with the audit event's id), or not_found, own_session, not_client,
    /// not_permitted (nothing sent, no event). <paramref name="action"/> is cancel or terminate.
    /// </summary>
    public static async Task<(string Status, Guid? EventId)> SendAsync(
        TenantSession session, int pid, string action, string clientIp, string userAgent, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        command.Parameters.AddWithValue("ip", clientIp);
        command.Parameters.AddWithValue("agent", userAgent);
        command.Parameters.AddWithValue("pid", pid);
        command.Parameters.AddWithValue("action", action);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1));
    }

    /// <summary>Why a status is a refusal (its HTTP status and words), or null when the signal went out.</summary>
    public static (int Status, string Detail)? Refusal(string status, int pid) => status switch
    {
        "not_found" => (StatusCodes.Status404NotFound, $"No backend with pid {pid}."),
        "own_session" => (StatusCodes.Status409Conflict, "That is this request's own session."),
        "not_client" => (StatusCodes.Status409Conflict, $"Backend {pid} is not a client session (autovacuum, replication or another server process); it is left alone."),
        "not_permitted" => (StatusCodes.Status409Conflict, $"The database refused to signal backend {pid} (a superuser's session needs a superuser)."),
        _ => null,
    };
}
