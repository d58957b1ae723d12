namespace WedSync.Api.Features.Monitoring.Alerts.ResumeAlertSubscription;

public sealed class Request
{
    /// <summary>The subscription's id, from the route.</summary>
    public Guid Id { get; init; }
}
