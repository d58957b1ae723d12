using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Sessions;

/// <summary>
/// Issue 22, kind 4: every lock holder the blocking tree shows is named with what it is and what can be done.
/// A prepared transaction (pid 0, no backend) is named by its gid, an orphan as such, and rolled back through
/// the API (audited), here and in another database; a parallel worker names its leader; a signal to pid 0 or a
/// server process says why not and what to do instead. Also the running-now list: a lone query that blocks
/// nobody is listed and cancelled over HTTP.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class SessionKindsTests(AppHostFixture fixture)
{
    private static readonly string Admin = MonitoringCalls.AdminToken;

    [Fact]
    public async Task A_prepared_transaction_blocking_a_session_is_named_by_gid_as_an_orphan_and_its_rollback_releases_the_waiter()
    {
        var table = $"drill_prepared_{Guid.NewGuid():N}";
        var gid = $"drill 'orphan' {Guid.NewGuid():N}";
        await ExecuteAsync(fixture.DatabaseConnectionString, $"CREATE TABLE {table} (id int)");
        await PrepareLockAsync(fixture.DatabaseConnectionString, table, gid);
        var (waiterPid, waiter, waiterConnection) = await fixture.RunInOtherSessionAsync($"SELECT count(*) FROM {table}");
        try
        {

            // Named by its gid, and an orphan once older than the fixture's orphan age.
            var locks = await MonitoringCalls.PollAsync(
                () => fixture.Api.GetOkAsync("/api/monitoring/locks", Admin),
                l => Prepared(l, gid) is { } p && p.GetProperty("preparedTransaction").GetProperty("orphan").GetBoolean()
                    && Session(l, waiterPid) is not null,
                TimeSpan.FromSeconds(30));
            var holder = Prepared(locks, gid) ?? throw new Xunit.Sdk.XunitException($"prepared transaction not named: {locks}");
            Assert.Equal(0, holder.GetProperty("pid").GetInt32());
            Assert.Equal("prepared_transaction", holder.GetProperty("kind").GetString());
            Assert.Equal([waiterPid], holder.GetProperty("blocking").EnumerateArray().Select(p => p.GetInt32()));
            var prepared = holder.GetProperty("preparedTransaction");
            Assert.Equal("postgres", prepared.GetProperty("ownerName").GetString());
            Assert.Equal("wedsync", prepared.GetProperty("databaseName").GetString());
            Assert.True(prepared.GetProperty("ageSeconds").GetDouble() >= AppHostFixture.PreparedTransactionOrphanAge.TotalSeconds);
            Assert.Equal("wedsync", holder.GetProperty("databaseName").GetString());
            Assert.Contains("orphan", holder.GetProperty("advice").GetString(), StringComparison.Ordinal);
            Assert.Contains("pg_prepared_xacts", holder.GetProperty("advice").GetString(), StringComparison.Ordinal);
            var rollback = Assert.Single(holder.GetProperty("actions").EnumerateArray());
            Assert.Equal("rollback_prepared", rollback.GetProperty("name").GetString());
            Assert.Equal($"ROLLBACK PREPARED '{gid.Replace("'", "''", StringComparison.Ordinal)}'", rollback.GetProperty("sql").GetString());
            Assert.Contains(gid, locks.GetProperty("rootPreparedTransactions").EnumerateArray().Select(g => g.GetString()));
            var waiting = Session(locks, waiterPid)!.Value;
            Assert.Empty(waiting.GetProperty("blockedBy").EnumerateArray());
            Assert.Equal([gid], waiting.GetProperty("blockedByPrepared").EnumerateArray().Select(g => g.GetString()));
            Assert.Contains($"on {table}", waiting.GetProperty("waitingFor").GetString(), StringComparison.Ordinal);

            // The running-now list names it too.
            var running = await fixture.Api.GetOkAsync("/api/monitoring/sessions", Admin);
            Assert.Contains(running.GetProperty("preparedTransactions").EnumerateArray(),
                p => p.GetProperty("gid").GetString() == gid && p.GetProperty("orphan").GetBoolean());

            // A signal to pid 0 says what it is and what to do instead.
            foreach (var action in new[] { "cancel", "terminate" })
            {
                using var refused = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/sessions/0/{action}", Admin));
                var problem = await refused.AssertProblemAsync(409);
                var detail = problem.GetProperty("detail").GetString()!;
                Assert.Contains("pg_prepared_xacts", detail, StringComparison.Ordinal);
                Assert.Contains("/api/monitoring/prepared-transactions/rollback", detail, StringComparison.Ordinal);
                Assert.Contains(gid.Replace("'", "''", StringComparison.Ordinal), detail, StringComparison.Ordinal);
            }

            Assert.False(waiter.IsCompleted, "the waiter was released before the rollback");
            var body = await RollBackAsync(gid, HttpStatusCode.OK);
            Assert.Equal("rolled_back", body.GetProperty("outcome").GetString());
            await waiter.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(await IsPreparedAsync(gid));

            var audit = await ReadAuditAsync(body.GetProperty("auditEventId").GetGuid());
            Assert.Equal("prepared_rollback", audit.GetProperty("action").GetString());
            Assert.Equal(gid, audit.GetProperty("target").GetProperty("gid").GetString());
            Assert.Equal("wedsync", audit.GetProperty("target").GetProperty("databaseName").GetString());

            // Gone now: 404, and nothing more recorded.
            await RollBackAsync(gid, HttpStatusCode.NotFound);
        }
        finally
        {
            await RollBackIfPreparedAsync(fixture.DatabaseConnectionString, gid);
            await Quietly(waiter);
            await waiterConnection.DisposeAsync();
            await ExecuteAsync(fixture.DatabaseConnectionString, $"DROP TABLE IF EXISTS {table}");
        }
    }

    [Fact]
    public async Task A_prepared_transaction_of_another_database_is_named_there_and_rolled_back_in_its_own_database()
    {
        var database = $"drill_other_{Guid.NewGuid():N}"[..30];
        var gid = $"drill other {Guid.NewGuid():N}";
        await ExecuteAsync(fixture.DatabaseConnectionString, $"CREATE DATABASE {database}");
        var other = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Database = database, Pooling = false }.ConnectionString;
        try
        {
            await ExecuteAsync(other, "CREATE TABLE held (id int)");
            await PrepareLockAsync(other, "held", gid);
            // Disposed after the rollback (finally), so a failure is not hidden by closing a blocked connection.
            var waiterConnection = new NpgsqlConnection(other);
            await waiterConnection.OpenAsync();
            var waiterPid = waiterConnection.ProcessID;
            var waiter = Task.Run(async () =>
            {
                await using var read = new NpgsqlCommand("SELECT count(*) FROM held", waiterConnection);
                await read.ExecuteScalarAsync();
            });

            var locks = await MonitoringCalls.PollAsync(
                () => fixture.Api.GetOkAsync("/api/monitoring/locks", Admin),
                l => Prepared(l, gid) is not null && Session(l, waiterPid) is not null, TimeSpan.FromSeconds(30));
            var holder = Prepared(locks, gid) ?? throw new Xunit.Sdk.XunitException($"prepared transaction not named: {locks}");
            Assert.Equal(database, holder.GetProperty("preparedTransaction").GetProperty("databaseName").GetString());
            Assert.True(holder.GetProperty("otherDatabase").GetBoolean());
            var waiting = Session(locks, waiterPid)!.Value;
            Assert.Equal(database, waiting.GetProperty("databaseName").GetString());
            Assert.True(waiting.GetProperty("otherDatabase").GetBoolean());
            // Its relation's oid means nothing in the API's database: named with its database, not cast here.
            Assert.Contains($"of database {database}", waiting.GetProperty("waitingFor").GetString(), StringComparison.Ordinal);
            Assert.Contains("another database", waiting.GetProperty("advice").GetString(), StringComparison.Ordinal);

            var body = await RollBackAsync(gid, HttpStatusCode.OK);
            Assert.Equal(database, body.GetProperty("databaseName").GetString());
            await waiter.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(await IsPreparedAsync(gid));
            await waiterConnection.DisposeAsync();
        }
        finally
        {
            await RollBackIfPreparedAsync(other, gid);
            await ExecuteAsync(fixture.DatabaseConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task A_lone_running_query_is_listed_running_now_and_cancelled_over_http()
    {
        var (pid, running, connection) = await fixture.RunInOtherSessionAsync(
            "SELECT pg_sleep(60) /* runaway: postgresql://replicator:S3cretPw@db.example/wedsync */");
        await using var _ = connection;
        var list = await MonitoringCalls.PollAsync(
            () => fixture.Api.GetOkAsync("/api/monitoring/sessions", Admin),
            l => Running(l, pid) is { } s && s.GetProperty("state").GetString() == "active", TimeSpan.FromSeconds(30));
        var session = Running(list, pid) ?? throw new Xunit.Sdk.XunitException($"pid {pid} not listed: {list}");
        Assert.Equal("client", session.GetProperty("kind").GetString());
        Assert.Equal("wedsync", session.GetProperty("databaseName").GetString());
        Assert.Equal("postgres", session.GetProperty("userName").GetString());
        Assert.Equal("Timeout", session.GetProperty("waitEventType").GetString());
        Assert.Equal("PgSleep", session.GetProperty("waitEvent").GetString());
        Assert.True(session.GetProperty("querySeconds").GetDouble() >= 0);
        // Redacted as the API redacts every statement text.
        Assert.DoesNotContain("S3cretPw", session.GetProperty("query").GetString() ?? "", StringComparison.Ordinal);
        var actions = session.GetProperty("actions").EnumerateArray().ToList();
        Assert.Equal(["cancel", "terminate"], actions.Select(a => a.GetProperty("name").GetString()));
        Assert.True(actions[1].GetProperty("needsConfirmation").GetBoolean());

        using var response = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, actions[0].GetProperty("path").GetString()!, Admin));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cancelled = await Assert.ThrowsAnyAsync<PostgresException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);
    }

    [Fact]
    public async Task A_parallel_worker_names_its_leader_and_a_signal_to_it_says_to_cancel_the_leader()
    {
        // The query runs in a parallel worker (force_parallel_mode, debug_parallel_query from PostgreSQL 16).
        var (leaderPid, running, connection) = await fixture.RunInOtherSessionAsync("""
            SELECT set_config(CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END, 'on', false);
            SELECT pg_sleep(60);
            """);
        await using var _ = connection;
        var list = await MonitoringCalls.PollAsync(
            () => fixture.Api.GetOkAsync("/api/monitoring/sessions", Admin),
            l => Workers(l, leaderPid).Any(), TimeSpan.FromSeconds(30));
        var worker = Workers(list, leaderPid).FirstOrDefault();
        Assert.True(worker.ValueKind == JsonValueKind.Object, $"no parallel worker of {leaderPid}: {list}");
        Assert.Equal("parallel worker", worker.GetProperty("backendType").GetString());
        var cancelLeader = Assert.Single(worker.GetProperty("actions").EnumerateArray());
        Assert.Equal("cancel_leader", cancelLeader.GetProperty("name").GetString());
        Assert.Equal($"/api/monitoring/sessions/{leaderPid}/cancel", cancelLeader.GetProperty("path").GetString());

        var workerPid = worker.GetProperty("pid").GetInt32();
        using var refused = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/sessions/{workerPid}/terminate", Admin));
        var detail = (await refused.AssertProblemAsync(409)).GetProperty("detail").GetString()!;
        Assert.Contains("parallel worker", detail, StringComparison.Ordinal);
        Assert.Contains($"/api/monitoring/sessions/{leaderPid}/cancel", detail, StringComparison.Ordinal);
        Assert.False(running.IsCompleted, "the refused signal reached the query");

        using var cancel = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/sessions/{leaderPid}/cancel", Admin));
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await Assert.ThrowsAnyAsync<PostgresException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception exception) when (exception is PostgresException or NpgsqlException or TimeoutException)
        {
            // Only the clean-up's wait: the test's own assertions said what failed.
        }
    }

    private static JsonElement? Prepared(JsonElement locks, string gid) =>
        locks.GetProperty("sessions").EnumerateArray()
            .Where(s => s.GetProperty("preparedTransaction") is { ValueKind: JsonValueKind.Object } p && p.GetProperty("gid").GetString() == gid)
            .Cast<JsonElement?>().FirstOrDefault();

    private static JsonElement? Session(JsonElement locks, int pid) =>
        locks.GetProperty("sessions").EnumerateArray().Where(s => s.GetProperty("pid").GetInt32() == pid).Cast<JsonElement?>().FirstOrDefault();

    private static JsonElement? Running(JsonElement list, int pid) =>
        list.GetProperty("sessions").EnumerateArray().Where(s => s.GetProperty("pid").GetInt32() == pid).Cast<JsonElement?>().FirstOrDefault();

    private static IEnumerable<JsonElement> Workers(JsonElement list, int leaderPid) =>
        list.GetProperty("sessions").EnumerateArray()
            .Where(s => s.GetProperty("kind").GetString() == "parallel_worker" && s.GetProperty("leaderPid") is { ValueKind: JsonValueKind.Number } l && l.GetInt32() == leaderPid);

    private async Task<JsonElement> RollBackAsync(string gid, HttpStatusCode expected)
    {
        using var request = ApiCalls.Request(HttpMethod.Post, "/api/monitoring/prepared-transactions/rollback", Admin);
        request.Content = new StringContent(JsonSerializer.Serialize(new { gid }), Encoding.UTF8, "application/json");
        using var response = await fixture.Api.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"rollback: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task PrepareLockAsync(string connectionString, string table, string gid)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var prepare = new NpgsqlCommand(
            $"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; PREPARE TRANSACTION '{gid.Replace("'", "''", StringComparison.Ordinal)}'", connection);
        await prepare.ExecuteNonQueryAsync();
    }

    private async Task<bool> IsPreparedAsync(string gid)
    {
        await using var connection = fixture.OpenDatabase();
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE gid = @gid)", connection);
        exists.Parameters.AddWithValue("gid", gid);
        return (bool)(await exists.ExecuteScalarAsync())!;
    }

    // A test that failed halfway must not leave its locks held (prepared transactions outlive connections).
    private static async Task RollBackIfPreparedAsync(string connectionString, string gid)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var find = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE gid = @gid AND database = current_database())", connection);
        find.Parameters.AddWithValue("gid", gid);
        if ((bool)(await find.ExecuteScalarAsync())!)
        {
            await ExecuteAsync(connectionString, $"ROLLBACK PREPARED '{gid.Replace("'", "''", StringComparison.Ordinal)}'");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<JsonElement> ReadAuditAsync(Guid id)
    {
        await using var connection = fixture.OpenDatabase();
        await using var read = new NpgsqlCommand(
            "SELECT event_data::text FROM monitoring_events WHERE id = @id AND resolved_at IS NOT NULL AND user_id IS NOT NULL", connection);
        read.Parameters.AddWithValue("id", id);
        var data = await read.ExecuteScalarAsync() as string ?? throw new Xunit.Sdk.XunitException("no audit event");
        return JsonDocument.Parse(data).RootElement.Clone();
    }
}
