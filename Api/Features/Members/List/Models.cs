using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Members.List;

public sealed class Request
{
    /// <summary>1-based page number.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Members per page, at most 100.</summary>
    public int PageSize { get; init; } = 20;
}

public sealed class Validator : Validator<Request>
{
    public const int MaxPageSize = 100;

    /// <summary>Far past any real organization; keeps OFFSET arithmetic small.</summary>
    public const int MaxPage = 1_000_000;

    public Validator()
    {
        RuleFor(r => r.Page).InclusiveBetween(1, MaxPage).WithMessage($"Must be between 1 and {MaxPage}.");
        RuleFor(r => r.PageSize).InclusiveBetween(1, MaxPageSize).WithMessage($"Must be between 1 and {MaxPageSize}.");
    }
}

public sealed record Response(IReadOnlyList<Member> Items, int Page, int PageSize, long Total);
