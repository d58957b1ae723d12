using WedSync.Api.Features.Monitoring.AlertSubscriptions.Shared;

namespace WedSync.Api.Features.Monitoring.AlertSubscriptions.List;

public sealed record Response(IReadOnlyList<AlertSubscription> Items);
