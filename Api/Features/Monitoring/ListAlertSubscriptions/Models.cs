using WedSync.Api.Features.Monitoring.AlertSubscriptions;

namespace WedSync.Api.Features.Monitoring.ListAlertSubscriptions;

public sealed record Response(IReadOnlyList<AlertSubscription> Items);
