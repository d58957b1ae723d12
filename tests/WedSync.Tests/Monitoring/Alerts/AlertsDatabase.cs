using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// A migrated database of its own on the fixture's server, for tests that run their own API process:
/// the fixture's API delivers the outbox of its own database only, so nothing else sends these
/// messages or retries them on another schedule.
/// </summary>
public sealed class AlertsDatabase : IAsyncDisposable
{
    /// <summary>Fast retries for tests; the monitoring sampler off so that only the test's events exist.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastDelivery = new Dictionary<string, string>
    {
        ["Monitoring:SamplerEnabled"] = "false",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        ["Webhooks:BackoffBase"] = "00:00:00.300",
        ["Webhooks:BackoffMax"] = "00:00:05",
        ["Webhooks:RequestTimeout"] = "00:00:05",
        // The receivers are loopback HttpListeners: internal addresses allowed, explicitly, as in local development.
        ["Webhooks:AllowPrivateTargets"] = "true",
    };

    private readonly MigratorDatabase database;

    private AlertsDatabase(MigratorDatabase database)
    {
        this.database = database;
    }

    public string ConnectionString => database.ConnectionString;

    public static async Task<AlertsDatabase> CreateAsync(AppHostFixture fixture)
    {
        var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        return new AlertsDatabase(database);
    }

    public Task<ApiServer> StartApiAsync(params (string Key, string Value)[] overrides)
    {
        return ApiServer.StartAsync(ConnectionString, FastDelivery.ToDictionary().With(overrides));
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>An event written straight into monitoring_events, as the sampler or an operator's psql would.</summary>
    public Task<Guid> InsertEventAsync(string type, string severity) =>
        ScalarAsync<Guid>("INSERT INTO monitoring_events (event_type, severity, event_data) VALUES (@t, @s, '{\"source\": \"sql\"}') RETURNING id",
            ("t", type), ("s", severity));

    /// <summary>An event whose transaction rolls back: it never happened, so nobody may hear of it.</summary>
    public async Task<Guid> InsertEventAndRollBackAsync(string type, string severity)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO monitoring_events (event_type, severity) VALUES (@t, @s) RETURNING id", connection, transaction);
        command.Parameters.AddWithValue("t", type);
        command.Parameters.AddWithValue("s", severity);
        var id = (Guid)(await command.ExecuteScalarAsync())!;
        await transaction.RollbackAsync();
        return id;
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();
}

public static class SettingsExtensions
{
    /// <summary>The settings with these keys set (replaced when present).</summary>
    public static Dictionary<string, string> With(this Dictionary<string, string> settings, params (string Key, string Value)[] overrides)
    {
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>The alert endpoints as a platform admin calls them.</summary>
public static class AlertCalls
{
    public static async Task<(Guid Id, string Secret)> SubscribeAsync(this HttpClient api, object body)
    {
        using var request = ApiCalls.Request(HttpMethod.Post, "/api/monitoring/alert-subscriptions", MonitoringCalls.AdminToken);
        request.Content = JsonContent.Create(body);
        using var response = await api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, text);
        var created = JsonDocument.Parse(text).RootElement;
        return (created.GetProperty("subscription").GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    public static async Task<Guid> RecordEventAsync(this HttpClient api, string type, string severity, object? eventData = null)
    {
        using var request = ApiCalls.Request(HttpMethod.Post, "/api/monitoring/events", MonitoringCalls.AdminToken);
        request.Content = JsonContent.Create(new { eventType = type, severity, eventData = eventData ?? new { source = "api" } });
        using var response = await api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The monitoring event id a standard-format delivery carries.</summary>
    public static Guid EventIdOf(ReceivedWebhook webhook) =>
        JsonDocument.Parse(webhook.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid();
}
