namespace WedSync.Api.Features.Monitoring.Sessions.Connections;

public sealed record ConnectionGroup(
    string DatabaseName,
    string State,
    int ConnectionCount,
    int WaitingOnLock,
    double? LongestInStateSeconds);

public sealed record Response(
    int TotalConnections,
    int MaxConnections,
    int ReservedConnections,
    decimal UtilizationPct,
    IReadOnlyList<ConnectionGroup> Groups);
