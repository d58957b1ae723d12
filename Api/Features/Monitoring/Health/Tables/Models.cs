using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Paging;

namespace WedSync.Api.Features.Monitoring.Health.Tables;

public sealed class Request() : PagedRequest(defaultPageSize: 50)
{
    /// <summary>deadTuples (default), size or seqScans; always descending.</summary>
    public string Sort { get; init; } = "deadTuples";
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Sorts = ["deadTuples", "size", "seqScans"];

    public Validator()
    {
        Include(new PagingValidator<Request>());
        RuleFor(r => r.Sort).Must(s => Sorts.Contains(s)).WithMessage($"Must be one of {string.Join(", ", Sorts)}.");
    }
}

public sealed record TableHealth(
    string SchemaName,
    string TableName,
    long LiveTuples,
    long DeadTuples,
    decimal? DeadPct,
    long ModifiedSinceAnalyze,
    DateTimeOffset? LastVacuum,
    DateTimeOffset? LastAutovacuum,
    DateTimeOffset? LastAnalyze,
    DateTimeOffset? LastAutoanalyze,
    long SeqScans,
    long SeqTuplesRead,
    long IndexScans,
    decimal? IndexUsagePct,
    long TotalSizeBytes,
    string TotalSize,
    bool NeedsVacuum);

/// <summary>A page of table health; <see cref="Partial"/> with <see cref="Unavailable"/> = ["tables"] when it could not be read now (no rows then).</summary>
public sealed record Response(IReadOnlyList<TableHealth> Items, int Page, int PageSize, long Total, bool Partial, IReadOnlyList<string> Unavailable);
