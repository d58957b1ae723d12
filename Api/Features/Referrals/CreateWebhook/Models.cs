using FastEndpoints;
using FluentValidation;
using Microsoft.Extensions.Options;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Webhooks;

namespace WedSync.Api.Features.Referrals.CreateWebhook;

public sealed class Request
{
    /// <summary>Absolute http or https URL the signed POSTs go to; not a loopback, private, link-local or metadata address.</summary>
    public string? Url { get; init; }

    /// <summary>Only these events (referral.created, referral.clicked (aggregated: one per referral per window, with the clicks since the last one), referral.converted, referral.flagged, reward.pending, reward.approved, reward.fulfilled, reward.revoked, reward.clawed_back); absent for all.</summary>
    public string[]? EventTypes { get; init; }

    /// <summary>A Standard Webhooks secret (whsec_ + base64 of 24..64 bytes); absent to have one generated.</summary>
    public string? Secret { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Url).NotEmpty().MaximumLength(2000)
            .Must(BeAbsoluteHttpUrl).WithMessage("Must be an absolute http or https URL.");
        // The address check again at delivery, on what DNS answers then (WebhookHttpClient).
        RuleFor(r => r.Url).Custom((url, context) =>
        {
            if (WebhookTargetPolicy.Refusal(new Uri(url!), Resolve<IOptions<WebhookOptions>>().Value.AllowPrivateTargets) is { } rule)
            {
                context.AddFailure($"Refused: {rule}. Webhooks are not sent to internal addresses.");
            }
        }).When(r => BeAbsoluteHttpUrl(r.Url));
        RuleFor(r => r.EventTypes).NotEmpty().When(r => r.EventTypes is not null)
            .WithMessage("Leave it out for every type, or name at least one.");
        RuleForEach(r => r.EventTypes).Must(t => ReferralWebhooks.EventTypes.Contains(t))
            .WithMessage($"Must be one of {string.Join(", ", ReferralWebhooks.EventTypes)}.");
        RuleFor(r => r.Secret).Must(s => WebhookSecret.TryGetKey(s, out _)).When(r => r.Secret is not null)
            .WithMessage($"Must be whsec_ followed by the base64 of {WebhookSecret.MinKeyBytes} to {WebhookSecret.MaxKeyBytes} bytes.");
    }

    private static bool BeAbsoluteHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed)
        && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(parsed.Host);
}

/// <summary>The subscription, and its signing secret: shown this once, never again.</summary>
public sealed record Response(ReferralWebhook Subscription, string Secret);
