using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Sessions;

/// <summary>
/// Signals a backend through monitoring_signal_backend in a tenant session: the function checks the
/// target, signals it with the owner's rights and records the audit event naming the actor (from the
/// session's claims), in the session's transaction. Shared by POST /api/monitoring/sessions/{pid}/cancel|terminate
/// and the console's Locks page, so both record the same event and give the same refusals.
/// </summary>
public static class SessionSignal
{
    private const string Sql = """
        SELECT set_config('request.client_ip', @ip, true), set_config('request.user_agent', @agent, true);
        SELECT status, event_id FROM monitoring_signal_backend(@pid, @action);
        """;

    // What a refused target is, to say what to do instead.
    private const string TargetSql = """
        SELECT backend_type, datname::text, datname IS DISTINCT FROM current_database(), leader_pid,
               coalesce(backend_type = 'autovacuum worker' AND query LIKE '%(to prevent wraparound)%', false)
        FROM pg_stat_activity WHERE pid = @pid
        """;

    private const string PreparedSql = "SELECT coalesce(array_agg(gid ORDER BY prepared), '{}') FROM pg_prepared_xacts";

    /// <summary>
    /// Status signalled or gone (with the audit event's id), or not_found, own_session, not_client,
    /// not_permitted, prepared_transaction (pid 0) with the refusal's HTTP status and words (nothing sent, no event).
    /// <paramref name="action"/> is cancel or terminate.
    /// </summary>
    public static async Task<SignalResult> SendAsync(
        TenantSession session, int pid, string action, string clientIp, string userAgent, CancellationToken ct)
    {
        if (pid == 0)
        {
            return new SignalResult("prepared_transaction", null, await PreparedRefusalAsync(session, action, ct));
        }

        string status;
        Guid? eventId;
        await using (var command = session.CreateCommand(Sql))
        {
            command.Parameters.AddWithValue("ip", clientIp);
            command.Parameters.AddWithValue("agent", userAgent);
            command.Parameters.AddWithValue("pid", pid);
            command.Parameters.AddWithValue("action", action);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            (status, eventId) = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1));
        }

        var refusal = status switch
        {
            "not_found" => new Refusal(StatusCodes.Status404NotFound, $"No backend with pid {pid}."),
            "own_session" => new Refusal(StatusCodes.Status409Conflict, "That is this request's own session."),
            "not_client" => await NotClientRefusalAsync(session, pid, action, ct),
            "not_permitted" => new Refusal(StatusCodes.Status409Conflict, $"The database refused to signal backend {pid} (a superuser's session needs a superuser)."),
            _ => null,
        };
        return new SignalResult(status, eventId, refusal);
    }

    private static async Task<Refusal> PreparedRefusalAsync(TenantSession session, string action, CancellationToken ct)
    {
        await using var command = session.CreateCommand(PreparedSql);
        var gids = (string[])(await command.ExecuteScalarAsync(ct))!;
        var named = gids.Length == 0
            ? "None is prepared now (pg_prepared_xacts is empty)."
            : $"Prepared now (pg_prepared_xacts): {string.Join(", ", gids.Take(10).Select(SessionKinds.RollbackSql))}.";
        return new Refusal(StatusCodes.Status409Conflict,
            $"Pid 0 is not a backend: it stands for a prepared transaction (PREPARE TRANSACTION), which holds its locks with no session, so no {action} reaches it. "
            + $"GET /api/monitoring/locks names it by gid; roll it back with POST {SessionKinds.RollbackPath} {{\"gid\": ...}} (ROLLBACK PREPARED). {named}");
    }

    private static async Task<Refusal> NotClientRefusalAsync(TenantSession session, int pid, string action, CancellationToken ct)
    {
        await using var command = session.CreateCommand(TargetSql);
        command.Parameters.AddWithValue("pid", pid);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return new Refusal(StatusCodes.Status404NotFound, $"No backend with pid {pid}.");
        }

        var backendType = reader.IsDBNull(0) ? null : reader.GetString(0);
        var (advice, actions) = SessionKinds.ForBackend(pid, backendType, reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetBoolean(4));
        var instead = actions.Count > 0 ? $" Instead: {string.Join(", ", actions.Select(a => $"{a.Method} {a.Path}"))}." : "";
        return new Refusal(StatusCodes.Status409Conflict,
            $"Backend {pid} is not a client session but a {backendType}; no {action} is sent to it. {advice}{instead}");
    }
}

/// <summary>Why a signal was not sent: the HTTP status and the words for the operator.</summary>
public sealed record Refusal(int Status, string Detail);

/// <summary>The function's status, the audit event (when signalled or gone) and the refusal (when not sent).</summary>
public sealed record SignalResult(string Status, Guid? EventId, Refusal? Refusal);
