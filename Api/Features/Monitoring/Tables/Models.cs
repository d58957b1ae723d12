using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.Tables;

public sealed class Request
{
    /// <summary>deadTuples (default), size or seqScans; always descending.</summary>
    public string Sort { get; init; } = "deadTuples";

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Sorts = ["deadTuples", "size", "seqScans"];

    public Validator()
    {
        RuleFor(r => r.Sort).Must(s => Sorts.Contains(s)).WithMessage($"Must be one of {string.Join(", ", Sorts)}.");
        RuleFor(r => r.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(r => r.PageSize).InclusiveBetween(1, 100);
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

public sealed record Response(IReadOnlyList<TableHealth> Items, int Page, int PageSize, long Total);
