using WedSync.Api.Features.Referrals.Shared;

namespace WedSync.Api.Features.Referrals.ListWebhooks;

public sealed record Response(IReadOnlyList<ReferralWebhook> Items);
