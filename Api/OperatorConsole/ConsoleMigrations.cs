using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Status;

namespace WedSync.Api.OperatorConsole;

/// <summary>One script of a request as the Migrations page shows it; <c>State</c> is the API's word (applied, pending, modified, unknown, missing file).</summary>
public sealed record ConsoleMigrationFile(string Name, string State, DateTimeOffset? AppliedAt, int? DurationMs);

/// <summary>
/// One migration request (WS-047 ...) as the Migrations page shows it: its state in the API's words
/// (complete, pending, modified, missing file), its files, and when its first and last script ran.
/// </summary>
public sealed record ConsoleMigrationRequest(
    string RequestId,
    string State,
    IReadOnlyList<ConsoleMigrationFile> Files,
    DateTimeOffset? FirstAppliedAt,
    DateTimeOffset? LastAppliedAt);

/// <summary>
/// The Migrations page's read: the journal against the catalog and the request manifest embedded in
/// the migrator, computed as GET /api/migrations does (MigrationStatusCalculator). The page depends only
/// on the records above, so this one file is what changes when the API's request report changes.
/// The journal is platform data: read with the API's own login, outside the tenant session, after the
/// page's gate has checked the platform_admin role.
/// </summary>
public static class ConsoleMigrations
{
    private static readonly ScriptCatalog Catalog = ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder);
    private static readonly RequestManifest Manifest = RequestManifest.Embedded();

    public static async Task<IReadOnlyList<ConsoleMigrationRequest>> ReadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var journal = await new JournalStore(dataSource, NullLogger.Instance).ReadAsync(ct);
        var report = MigrationStatusCalculator.Calculate(Catalog, Manifest, journal);
        return report.Requests
            .Select(request =>
            {
                var files = request.Scripts.Select(s => new ConsoleMigrationFile(s.Name, Word(s.State), s.AppliedAt, s.DurationMs)).ToList();
                var applied = files.Where(f => f.AppliedAt is not null).Select(f => f.AppliedAt!.Value).ToList();
                return new ConsoleMigrationRequest(request.RequestId, Word(request.State), files,
                    applied.Count == 0 ? null : applied.Min(), applied.Count == 0 ? null : applied.Max());
            })
            .ToList();
    }

    /// <summary>A state word as a CSS class name ("missing file": missing-file).</summary>
    public static string Css(string state) => state.Replace(" ", "-", StringComparison.Ordinal);

    /// <summary>The state words of the API's JSON (its enums' JsonStringEnumMemberName).</summary>
    private static string Word(RequestState state) => state switch
    {
        RequestState.Complete => "complete",
        RequestState.Pending => "pending",
        RequestState.Modified => "modified",
        RequestState.MissingFile => "missing file",
        _ => state.ToString(),
    };

    private static string Word(ScriptState state) => state switch
    {
        ScriptState.Applied => "applied",
        ScriptState.Pending => "pending",
        ScriptState.Modified => "modified",
        ScriptState.Unknown => "unknown",
        ScriptState.MissingFile => "missing file",
        _ => state.ToString(),
    };
}
