namespace WedSync.Api.Platform.Paging;

/// <summary>The query of a list endpoint: <c>page</c> (from 1) and <c>pageSize</c> (1 to <see cref="MaxPageSize"/>).</summary>
public abstract class PagedRequest(int defaultPageSize)
{
    public const int MaxPageSize = 100;

    /// <summary>Far past any real list; keeps OFFSET arithmetic small.</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>1-based page number.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Items per page, at most 100.</summary>
    public int PageSize { get; init; } = defaultPageSize;

    /// <summary>Rows before this page, for <c>OFFSET</c>.</summary>
    public long RowsBefore() => (long)(Page - 1) * PageSize;
}
