using FastEndpoints;
using FluentValidation;
using Microsoft.Extensions.Options;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Webhooks;

namespace WedSync.Api.Features.Monitoring.Alerts.CreateAlertSubscription;

public sealed class Request
{
    /// <summary>Absolute http or https URL the signed POSTs go to; not a loopback, private, link-local or metadata address.</summary>
    public string? Url { get; init; }

    /// <summary>low, medium, high or critical: events of this severity or above are delivered.</summary>
    public string? MinimumSeverity { get; init; }

    /// <summary>Only events of these types (slow_query, connection_issue, table_health, rls_violation, performance_alert); absent for all.</summary>
    public string[]? EventTypes { get; init; }

    /// <summary>A Standard Webhooks secret (whsec_ + base64 of 24..64 bytes); absent to have one generated.</summary>
    public string? Secret { get; init; }

    /// <summary>standard (default): the Standard Webhooks JSON; slack: {"text": ...} for Slack-compatible receivers.</summary>
    public string? Format { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public const int MaxUrlLength = 2000;

    public Validator()
    {
        RuleFor(r => r.Url).NotEmpty().MaximumLength(MaxUrlLength)
            .Must(BeAbsoluteHttpUrl).WithMessage("Must be an absolute http or https URL.");
        // The address check again at delivery, on what DNS answers then (WebhookHttpClient).
        RuleFor(r => r.Url).Custom((url, context) =>
        {
            var allowPrivate = Resolve<IOptions<WebhookOptions>>().Value.AllowPrivateTargets;
            if (WebhookTargetPolicy.Refusal(new Uri(url!), allowPrivate) is { } rule)
            {
                context.AddFailure($"Refused: {rule}. Webhooks are not sent to internal addresses "
                    + "(Webhooks:AllowPrivateTargets admits loopback, private and link-local ones, for local development).");
            }
        }).When(r => BeAbsoluteHttpUrl(r.Url));
        RuleFor(r => r.MinimumSeverity).NotEmpty().Must(s => MonitoringEventKinds.Severities.Contains(s))
            .WithMessage($"Must be one of {string.Join(", ", MonitoringEventKinds.Severities)}.");
        RuleFor(r => r.EventTypes).NotEmpty().When(r => r.EventTypes is not null)
            .WithMessage("Leave it out for every type, or name at least one.");
        RuleForEach(r => r.EventTypes).Must(t => MonitoringEventKinds.Types.Contains(t))
            .WithMessage($"Must be one of {string.Join(", ", MonitoringEventKinds.Types)}.");
        RuleFor(r => r.Secret).Must(s => WebhookSecret.TryGetKey(s, out _)).When(r => r.Secret is not null)
            .WithMessage($"Must be whsec_ followed by the base64 of {WebhookSecret.MinKeyBytes} to {WebhookSecret.MaxKeyBytes} bytes.");
        RuleFor(r => r.Format).Must(f => WebhookBody.Formats.Contains(f)).When(r => r.Format is not null)
            .WithMessage($"Must be one of {string.Join(", ", WebhookBody.Formats)}.");
    }

    private static bool BeAbsoluteHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed)
        && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(parsed.Host);
}

/// <summary>The subscription, and its signing secret: shown this once, never again.</summary>
public sealed record Response(AlertSubscription Subscription, string Secret);
