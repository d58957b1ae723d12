using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Health.Capacity;

/// <summary>
/// Capacity over time, from what the history sampler stored every Monitoring:CapacitySampleInterval:
/// the daily size of every table and index with its growth per day, and the days left of every counter
/// that runs out (the advisor's capacity_forecast check names those under 90 days).
/// </summary>
public sealed class Endpoint(MonitoringDatabase monitoring) : MonitoringEndpoint<Request, Response>
{
    private const string CapacitySql = """
        WITH recent AS (
            SELECT * FROM monitoring_history.object_sizes WHERE day > (now() AT TIME ZONE 'UTC')::date - 30
        ), growth AS (
            SELECT object_name, regr_slope(bytes::double precision, (day - date '2000-01-01')::double precision) AS per_day,
                   count(*)::integer AS days, max(day) AS last_day
            FROM recent GROUP BY object_name
        )
        SELECT g.object_name, r.kind, g.last_day, r.bytes, g.per_day, g.days
        FROM growth g JOIN recent r ON r.object_name = g.object_name AND r.day = g.last_day
        ORDER BY coalesce(g.per_day, 0) DESC, r.bytes DESC, g.object_name
        LIMIT @top
        """;

    private const string ForecastsSql = """
        SELECT kind, object_name, value, max_value, per_day, days_left, samples, last_sampled_at
        FROM monitoring_history.capacity_forecasts()
        ORDER BY days_left NULLS LAST, kind, object_name
        """;

    public override void Configure()
    {
        Get("/monitoring/capacity");
        Summary(s =>
        {
            s.Summary = "Capacity history: table and index growth per day, days left of sequences, transaction ids and database size (platform admins)";
            s.Description = "From the capacity samples the history sampler stores every Monitoring:CapacitySampleInterval (kept Monitoring:CapacityHistoryRetention).";
            s.Responses[StatusCodes.Status200OK] = "Objects by growth, and every forecast.";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        // On the monitoring pool and within its bounds, as every monitoring read (it answers when max_connections is used up).
        var command = new NpgsqlBatchCommand(CapacitySql) { Parameters = { new NpgsqlParameter("top", req.Top) } };
        var response = await monitoring.ReadAsync([command, new NpgsqlBatchCommand(ForecastsSql)], async reader =>
        {
            var objects = new List<ObjectGrowth>();
            var forecasts = new List<CapacityForecast>();
            while (await reader.ReadAsync(ct))
            {
                objects.Add(new ObjectGrowth(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : reader.GetDouble(4), reader.GetInt32(5)));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                forecasts.Add(new CapacityForecast(reader.GetString(0), reader.GetString(1), reader.GetDecimal(2),
                    reader.IsDBNull(3) ? null : reader.GetDecimal(3), reader.IsDBNull(4) ? null : reader.GetDouble(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7)));
            }

            return new Response(objects, forecasts);
        }, ct);
        await Send.OkAsync(response, ct);
    }
}
