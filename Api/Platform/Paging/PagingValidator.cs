using FluentValidation;

namespace WedSync.Api.Platform.Paging;

/// <summary>The paging rules every list endpoint's validator includes.</summary>
public sealed class PagingValidator<TRequest> : AbstractValidator<TRequest>
    where TRequest : PagedRequest
{
    public PagingValidator()
    {
        RuleFor(r => r.Page).InclusiveBetween(1, PagedRequest.MaxPage)
            .WithMessage($"Must be between 1 and {PagedRequest.MaxPage}.");
        RuleFor(r => r.PageSize).InclusiveBetween(1, PagedRequest.MaxPageSize)
            .WithMessage($"Must be between 1 and {PagedRequest.MaxPageSize}.");
    }
}
