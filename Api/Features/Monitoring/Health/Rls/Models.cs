namespace WedSync.Api.Features.Monitoring.Health.Rls;

/// <summary>
/// One relation as monitoring_rls_status judges it. <c>RelationKind</c>: table, partitioned table, partition,
/// view, materialized view or foreign table; <c>RequestRoleHasPrivileges</c>: wedsync_user holds a privilege
/// on it (directly, via PUBLIC or a role); <c>Reason</c>: why it is HIGH or MEDIUM (null when LOW).
/// </summary>
public sealed record TableRls(
    string SchemaName,
    string TableName,
    bool RlsEnabled,
    bool RlsForced,
    int PolicyCount,
    string RiskLevel,
    string RelationKind,
    bool RequestRoleHasPrivileges,
    string? Reason);

public sealed record Response(IReadOnlyList<TableRls> Items, int High, int Medium, int Low);
