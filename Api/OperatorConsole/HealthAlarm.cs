using System.Globalization;
using System.Text.Json;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// How alarming the Overview's health card looks: <c>critical</c> (red), <c>warning</c> or <c>ok</c>, and why.
/// The score alone can hide a breach: one table that lets tenants read each other's rows costs 10 points,
/// so 90/100 reads "excellent" while the tenant isolation is broken. Such conditions turn the card red
/// whatever the number says; a number under 50 ("poor") does too.
/// </summary>
public sealed record HealthAlarm(string Level, IReadOnlyList<string> Reasons)
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Ok = "ok";

    /// <summary>Judged from get_db_monitoring_summary()'s JSON (status and metrics), which the page already has.</summary>
    public static HealthAlarm From(JsonElement summary)
    {
        var metrics = summary.GetProperty("metrics");
        var status = summary.GetProperty("status").GetString();
        var rlsHigh = Count(metrics, "tablesRlsHighRisk");
        var rlsMedium = Count(metrics, "tablesRlsMediumRisk");
        var critical = Count(metrics, "openCriticalEvents");
        var high = Count(metrics, "openHighEvents");

        var reasons = new List<string>();
        if (rlsHigh > 0)
        {
            reasons.Add(Say($"{rlsHigh} relation(s) let tenants reach each other's rows: no row-level security, or a way around it."));
        }

        if (critical > 0)
        {
            reasons.Add(Say($"{critical} critical monitoring event(s) are open."));
        }

        if (status == "poor")
        {
            reasons.Add("The health score is under 50.");
        }

        if (reasons.Count > 0)
        {
            return new HealthAlarm(Critical, reasons);
        }

        if (rlsMedium > 0)
        {
            reasons.Add(Say($"{rlsMedium} table(s) have row-level security but no policy."));
        }

        if (high > 0)
        {
            reasons.Add(Say($"{high} high-severity monitoring event(s) are open."));
        }

        if (status == "fair")
        {
            reasons.Add("The health score is under 75.");
        }

        return new HealthAlarm(reasons.Count > 0 ? Warning : Ok, reasons);
    }

    private static int Count(JsonElement metrics, string name) =>
        metrics.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : 0;

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
