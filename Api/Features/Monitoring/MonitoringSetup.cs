using Microsoft.Extensions.DependencyInjection.Extensions;
using WedSync.Api.Features.Monitoring.Advisor;
using WedSync.Api.Features.Monitoring.Events.EventStream;
using WedSync.Api.Features.Monitoring.History;
using WedSync.Api.Features.Monitoring.Sampling;
using WedSync.Api.Features.Monitoring.Sampling.WaitEvents;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring;

public static class MonitoringSetup
{
    /// <summary>The advisor, the gauges and the background sampler, with section <c>Monitoring</c> validated at startup.</summary>
    public static IServiceCollection AddWedSyncMonitoring(this IServiceCollection services)
    {
        services.AddOptions<MonitoringOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<MonitoringReadOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<MonitoringDatabase>();
        services.AddHostedService<MonitoringDatabaseWarmup>();
        services.AddOptions<EventStreamOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<MonitoringEventHub>();
        services.AddHostedService(provider => provider.GetRequiredService<MonitoringEventHub>());
        services.AddSingleton<DatabaseAdvisor>();
        services.AddSingleton<MonitoringAssessments>();
        services.AddSingleton<MonitoringGauges>();
        services.AddSingleton<MonitoringSampleReader>();
        // The 1 s detector and its event writes use the kept monitoring pool: connection exhaustion must not blind the one
        // read that reports it (temboard#1626, dd-agent#1647: agents that connect per check go dark at max_connections).
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<ConditionEvents>(provider, provider.GetRequiredService<MonitoringDatabase>().DataSource));
        services.AddOptions<ReplicationLagOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ReplicationLagWatch>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<ConditionReading>(provider, provider.GetRequiredService<MonitoringDatabase>().DataSource));
        services.AddSingleton<ConditionDetector>();
        services.AddSingleton<SchemaDriftWatch>();
        services.AddSingleton<GaugeHistory>();
        services.AddHostedService<MonitoringSampler>();
        services.AddOptions<HistoryOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // History and wait sampling on the kept pool too: the incident that fills max_connections is the one their history must show.
        services.AddHostedService(provider => ActivatorUtilities.CreateInstance<HistorySampler>(provider, provider.GetRequiredService<MonitoringDatabase>().DataSource));
        services.AddOptions<WaitSamplingOptions>()
            .BindConfiguration(MonitoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHostedService(provider => ActivatorUtilities.CreateInstance<WaitSampler>(provider, provider.GetRequiredService<MonitoringDatabase>().DataSource));
        return services;
    }
}
