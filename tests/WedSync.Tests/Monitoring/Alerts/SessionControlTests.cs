using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// Done-when: a session blocked by another shows in GET /api/monitoring/locks; cancel releases it, and the
/// audit event names the admin. Also: terminate releases a blocker idle in its transaction (cancel cannot:
/// it runs nothing), and what may not be signalled is refused with nothing written.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class SessionControlTests(AppHostFixture fixture)
{
    private static readonly Guid AdminId = Guid.NewGuid();
    private const string AdminEmail = "oncall@wedsync.test";

    // The test's own admin token, with the e-mail claim identity providers send.
    private static readonly string AdminToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = TestTokens.Issuer,
        Audience = TestTokens.Audience,
        Expires = DateTime.UtcNow.AddMinutes(30),
        Claims = new Dictionary<string, object> { ["sub"] = AdminId.ToString(), ["roles"] = new[] { "platform_admin" }, ["email"] = AdminEmail },
        SigningCredentials = new SigningCredentials(
            new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(AppHostFixture.JwtSigningKey)), SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task A_blocked_session_shows_in_locks_and_cancelling_its_blocker_releases_it_audited_with_the_admin()
    {
        var key = Random.Shared.NextInt64(1, long.MaxValue);
        // One statement holding an advisory lock: cancelling it ends its transaction and frees the lock.
        var (blockerPid, blocker, blockerConnection) = await fixture.RunInOtherSessionAsync(
            $"SELECT pg_advisory_xact_lock({key}), pg_sleep(60) /* password = 'hunter2' */");
        await using var _ = blockerConnection;
        await WaitUntilHoldingAsync(key);
        var (waiterPid, waiter, waiterConnection) = await fixture.RunInOtherSessionAsync($"SELECT pg_advisory_xact_lock({key})");
        await using var __ = waiterConnection;

        var locks = await MonitoringCalls.PollAsync(
            () => fixture.Api.GetOkAsync("/api/monitoring/locks", AdminToken),
            l => SessionOf(l, waiterPid) is { } w && w.GetProperty("blockedBy").EnumerateArray().Any(p => p.GetInt32() == blockerPid),
            TimeSpan.FromSeconds(10));
        var waiting = SessionOf(locks, waiterPid)!.Value;
        var blocking = SessionOf(locks, blockerPid)!.Value;
        Assert.Equal([blockerPid], waiting.GetProperty("blockedBy").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Contains(waiterPid, blocking.GetProperty("blocking").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Contains(blockerPid, locks.GetProperty("rootBlockers").EnumerateArray().Select(p => p.GetInt32()));
        Assert.StartsWith("advisory", waiting.GetProperty("waitingFor").GetString(), StringComparison.Ordinal);
        Assert.True(waiting.GetProperty("waitingSeconds").GetDouble() >= 0);
        Assert.True(blocking.GetProperty("transactionSeconds").GetDouble() > 0);
        // The blocker's statement mentions a password: the shared redaction hides it.
        Assert.Equal("[REDACTED - SENSITIVE QUERY]", blocking.GetProperty("query").GetString());
        Assert.Contains("pg_advisory_xact_lock", waiting.GetProperty("query").GetString(), StringComparison.Ordinal);

        using var response = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/sessions/{blockerPid}/cancel", AdminToken));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("signalled", body.GetProperty("outcome").GetString());

        // The waiter gets its lock and finishes; the blocker's statement ended with 57014 (query_canceled).
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        var cancelled = await Assert.ThrowsAnyAsync<PostgresException>(() => blocker.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);

        var audit = await ReadAuditAsync(body.GetProperty("auditEventId").GetGuid());
        Assert.Equal("session_cancel", audit.GetProperty("action").GetString());
        Assert.Equal(blockerPid, audit.GetProperty("pid").GetInt32());
        Assert.Equal(AdminId, audit.GetProperty("actor").GetProperty("userId").GetGuid());
        Assert.Equal(AdminEmail, audit.GetProperty("actor").GetProperty("email").GetString());
        Assert.Equal("[REDACTED - SENSITIVE QUERY]", audit.GetProperty("target").GetProperty("query").GetString());
    }

    [Fact]
    public async Task A_blocker_idle_in_its_transaction_is_released_by_terminate()
    {
        var key = Random.Shared.NextInt64(1, long.MaxValue);
        var blocker = fixture.OpenDatabase();
        var transaction = await blocker.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({key})", blocker, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }

        var (waiterPid, waiter, waiterConnection) = await fixture.RunInOtherSessionAsync($"SELECT pg_advisory_xact_lock({key})");
        await using var _ = waiterConnection;
        var locks = await MonitoringCalls.PollAsync(
            () => fixture.Api.GetOkAsync("/api/monitoring/locks", AdminToken),
            l => SessionOf(l, waiterPid) is not null, TimeSpan.FromSeconds(10));
        Assert.Equal("idle in transaction", SessionOf(locks, blocker.ProcessID)!.Value.GetProperty("state").GetString());

        using var response = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/sessions/{blocker.ProcessID}/terminate", AdminToken));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));

        var audit = await ReadAuditAsync(body.GetProperty("auditEventId").GetGuid());
        Assert.Equal("session_terminate", audit.GetProperty("action").GetString());
        Assert.Equal(AdminId, audit.GetProperty("actor").GetProperty("userId").GetGuid());

        // The blocker's connection is gone, and its transaction with it.
        await using (var probe = new NpgsqlCommand("SELECT 1", blocker, transaction))
        {
            var ended = await Assert.ThrowsAnyAsync<NpgsqlException>(() => probe.ExecuteScalarAsync());
            Assert.True(ended is not PostgresException postgres || postgres.SqlState == PostgresErrorCodes.AdminShutdown, ended.Message);
        }

        blocker.Dispose();
    }

    [Fact]
    public async Task Signals_that_may_not_be_sent_are_refused_and_nothing_is_recorded()
    {
        var auditsBefore = await CountAuditsAsync();
        int checkpointer;
        await using (var connection = fixture.OpenDatabase())
        await using (var find = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'", connection))
        {
            checkpointer = (int)(await find.ExecuteScalarAsync())!;
        }

        var (victimPid, victim, victimConnection) = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(30)");
        await using var _ = victimConnection;
        var member = TestTokens.For(Guid.NewGuid());
        var cases = new (string Path, string? Token, int Status)[]
        {
            ($"/api/monitoring/sessions/{checkpointer}/terminate", AdminToken, 409),
            ($"/api/monitoring/sessions/{checkpointer}/cancel", AdminToken, 409),
            ("/api/monitoring/sessions/2147483000/cancel", AdminToken, 404),
            ("/api/monitoring/sessions/0/cancel", AdminToken, 409),
            ("/api/monitoring/sessions/-5/terminate", AdminToken, 400),
            ("/api/monitoring/sessions/abc/terminate", AdminToken, 400),
            ($"/api/monitoring/sessions/{victimPid}/terminate", member, 403),
            ($"/api/monitoring/sessions/{victimPid}/cancel", TestTokens.For(Guid.NewGuid(), ["service"]), 403),
            ($"/api/monitoring/sessions/{victimPid}/cancel", null, 401),
        };
        foreach (var (path, token, status) in cases)
        {
            using var response = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, path, token));
            await response.AssertProblemAsync(status);
        }

        using (var locks = await fixture.Api.GetAsync("/api/monitoring/locks", member))
        {
            await locks.AssertProblemAsync(403);
        }

        Assert.False(victim.IsCompleted, "a refused signal reached the session");
        Assert.Equal(auditsBefore, await CountAuditsAsync());
        await using var cancel = new NpgsqlCommand($"SELECT pg_cancel_backend({victimPid})", fixture.OpenDatabase());
        await cancel.ExecuteScalarAsync();
        await Assert.ThrowsAnyAsync<PostgresException>(() => victim.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static JsonElement? SessionOf(JsonElement locks, int pid) =>
        locks.GetProperty("sessions").EnumerateArray().Where(s => s.GetProperty("pid").GetInt32() == pid).Cast<JsonElement?>().FirstOrDefault();

    private async Task WaitUntilHoldingAsync(long key)
    {
        await using var connection = fixture.OpenDatabase();
        await MonitoringCalls.PollAsync(async () =>
        {
            await using var held = new NpgsqlCommand(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = @key)", connection);
            held.Parameters.AddWithValue("key", key);
            return (bool)(await held.ExecuteScalarAsync())!;
        }, held => held, TimeSpan.FromSeconds(10));
    }

    private async Task<JsonElement> ReadAuditAsync(Guid id)
    {
        await using var connection = fixture.OpenDatabase();
        await using var read = new NpgsqlCommand(
            "SELECT event_data::text, user_id, resolved_at IS NOT NULL FROM monitoring_events WHERE id = @id", connection);
        read.Parameters.AddWithValue("id", id);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no audit event");
        Assert.Equal(AdminId, reader.GetGuid(1));
        Assert.True(reader.GetBoolean(2), "an audit record is not an open problem");
        return JsonDocument.Parse(reader.GetString(0)).RootElement.Clone();
    }

    private async Task<long> CountAuditsAsync()
    {
        await using var connection = fixture.OpenDatabase();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM monitoring_events WHERE event_data ? 'action'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
