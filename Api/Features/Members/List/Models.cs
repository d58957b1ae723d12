using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Paging;

namespace WedSync.Api.Features.Members.List;

/// <summary>Members of the caller's organization, a page at a time.</summary>
public sealed class Request() : PagedRequest(defaultPageSize: 20)
{
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        Include(new PagingValidator<Request>());
    }
}

public sealed record Response(IReadOnlyList<Member> Items, int Page, int PageSize, long Total);
