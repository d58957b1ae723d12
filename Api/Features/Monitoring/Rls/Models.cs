namespace WedSync.Api.Features.Monitoring.Rls;

public sealed record TableRls(string SchemaName, string TableName, bool RlsEnabled, bool RlsForced, int PolicyCount, string RiskLevel);

public sealed record Response(IReadOnlyList<TableRls> Items, int High, int Medium, int Low);
