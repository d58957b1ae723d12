using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;

namespace WedSync.Api.Features.Monitoring.Alerts.ListAlertSubscriptions;

public sealed record Response(IReadOnlyList<AlertSubscription> Items);
