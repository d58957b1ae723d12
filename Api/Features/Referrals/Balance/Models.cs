using FastEndpoints;

namespace WedSync.Api.Features.Referrals.Balance;

public sealed class Request
{
    /// <summary>Whose balance (org admins: any member of their organization); the caller's own when absent.</summary>
    public Guid? UserId { get; init; }
}

/// <summary>
/// Sums of one beneficiary's ledger in one currency: pending (earned, waiting), owed (approved, not yet
/// delivered; negative after a clawback of a delivered reward) and paid (delivered).
/// </summary>
public sealed record CurrencyBalance(string Currency, long PendingCents, long OwedCents, long PaidCents, int Entries);

public sealed record Response(Guid UserId, IReadOnlyList<CurrencyBalance> Balances);
