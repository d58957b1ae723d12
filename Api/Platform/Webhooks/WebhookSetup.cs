using Microsoft.Extensions.DependencyInjection.Extensions;

namespace WedSync.Api.Platform.Webhooks;

public static class WebhookSetup
{
    /// <summary>The outbox, its delivery worker and the worker's HttpClient, with section <c>Webhooks</c> validated at startup.</summary>
    public static IServiceCollection AddWedSyncWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookHttpClient>();
        services.AddHostedService<WebhookDeliveryWorker>();
        return services;
    }
}
