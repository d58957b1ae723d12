using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WedSync.AppHost;

/// <summary>
/// The catalog-versus-database verdict, shown under <c>migrations</c>. A finished process has no health in
/// Aspire (a snapshot's health exists only while its state is Running), so the verdict lives on a child that runs.
/// </summary>
public sealed class SchemaHealthResource(string name) : Resource(name)
{
    internal SchemaVerdict Verdict { get; set; } = SchemaVerdict.NotYetRead;

    // Released by the migrator's own end and by every command that may have changed the answer.
    internal SemaphoreSlim Recheck { get; } = new(0);
}

/// <summary>
/// Adds <c>migrations-schema</c>: runs <c>verify --json</c> when the migrator finishes, after each migrator command
/// and every <c>WedSync:Migrations:VerifyInterval</c> (default 1 min), and is Unhealthy with the reason while the
/// database and the catalog disagree (<see cref="SchemaVerdict"/>); pending scripts show but stay Healthy.
/// </summary>
public static class SchemaHealthExtensions
{
    public const string ResourceName = "migrations-schema";
    private const string IntervalSetting = "WedSync:Migrations:VerifyInterval";

    public static IResourceBuilder<ProjectResource> WithSchemaHealth(
        this IResourceBuilder<ProjectResource> migrations, IDistributedApplicationBuilder builder,
        IResourceBuilder<IResourceWithConnectionString> database)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return migrations;
        }

        var interval = TimeSpan.TryParse(builder.Configuration[IntervalSetting], CultureInfo.InvariantCulture, out var configured) && configured > TimeSpan.Zero
            ? configured : TimeSpan.FromMinutes(1);
        var schema = new SchemaHealthResource(ResourceName);
        migrations.WithAnnotation(new SchemaHealthAnnotation(schema));
        var healthKey = $"{ResourceName}_verdict";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthKey, _ => new SchemaVerdictHealthCheck(schema), failureStatus: null, tags: null));
        builder.AddResource(schema)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Schema verdict",
                State = new ResourceStateSnapshot("Waiting for migrations", KnownResourceStateStyles.Info),
                Properties = [],
            })
            .WithParentRelationship(migrations)
            .WithHealthCheck(healthKey)
            .WithIconName("ShieldCheckmark")
            .ExcludeFromManifest();

        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((@event, cancellationToken) =>
        {
            var services = @event.Services;
            var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = RecheckWhenMigratorEndsAsync(schema, migrations.Resource, services.GetRequiredService<ResourceNotificationService>(), stopping);
            _ = WatchAsync(schema, migrations, database, interval, services, stopping);
            return Task.CompletedTask;
        });
        return migrations;
    }

    /// <summary>Asks for a new verdict now (after a command that read or wrote the database).</summary>
    public static void RecheckSchema(this ProjectResource migrations)
    {
        foreach (var schema in SchemaResources(migrations))
        {
            schema.Recheck.Release();
        }
    }

    private static IEnumerable<SchemaHealthResource> SchemaResources(ProjectResource migrations) =>
        migrations.Annotations.OfType<SchemaHealthAnnotation>().Select(a => a.Resource);

    private static async Task RecheckWhenMigratorEndsAsync(
        SchemaHealthResource schema, ProjectResource migrations, ResourceNotificationService notifications, CancellationToken ct)
    {
        var wasTerminal = false;
        try
        {
            await foreach (var update in notifications.WatchAsync(ct))
            {
                if (!ReferenceEquals(update.Resource, migrations))
                {
                    continue;
                }

                // Each end of a migrator run (the first, and every restart from the dashboard) asks once.
                var terminal = KnownResourceStates.TerminalStates.Contains(update.Snapshot.State?.Text);
                if (terminal && !wasTerminal)
                {
                    schema.Recheck.Release();
                }

                wasTerminal = terminal;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WatchAsync(
        SchemaHealthResource schema, IResourceBuilder<ProjectResource> migrations, IResourceBuilder<IResourceWithConnectionString> database,
        TimeSpan interval, IServiceProvider services, CancellationToken ct)
    {
        await Task.Yield();
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(schema);
        try
        {
            // Nothing to compare before the migrator has run once.
            await schema.Recheck.WaitAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                // Requests made before this run starts are answered by it; those made during it, by the next.
                while (schema.Recheck.CurrentCount > 0)
                {
                    await schema.Recheck.WaitAsync(ct);
                }

                await VerifyAsync(schema, migrations, database, notifications, logger, ct);
                await schema.Recheck.WaitAsync(interval, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task VerifyAsync(
        SchemaHealthResource schema, IResourceBuilder<ProjectResource> migrations, IResourceBuilder<IResourceWithConnectionString> database,
        ResourceNotificationService notifications, ILogger logger, CancellationToken ct)
    {
        SchemaVerdict verdict;
        try
        {
            verdict = SchemaVerdict.From(await MigratorRun.StartAsync(migrations, database, ["verify", "--json"], ct));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            verdict = new(HealthStatus.Unhealthy, $"verify could not run: {exception.Message}", [], [exception.Message]);
        }

        var changed = verdict.Reason != schema.Verdict.Reason || verdict.Status != schema.Verdict.Status;
        schema.Verdict = verdict;
        if (changed)
        {
            var level = verdict.Status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning;
            logger.Log(level, "Schema verdict {Status}: {Reason}", verdict.Status, verdict.Reason);
        }

        // Running is what gives a snapshot its health; the reason is the health report's description and a property.
        await notifications.PublishUpdateAsync(schema, s => s with
        {
            State = KnownResourceStates.Running,
            StartTimeStamp = s.StartTimeStamp ?? DateTime.UtcNow,
            Properties =
            [
                new ResourcePropertySnapshot("schema.verdict", verdict.Reason),
                new ResourcePropertySnapshot("schema.pending", verdict.Pending.Count),
                new ResourcePropertySnapshot("schema.problems", verdict.Problems.Count),
                new ResourcePropertySnapshot("schema.verified", DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture)),
            ],
        });
    }

    private sealed class SchemaHealthAnnotation(SchemaHealthResource resource) : IResourceAnnotation
    {
        public SchemaHealthResource Resource { get; } = resource;
    }

    // Cheap on purpose: Aspire asks every few seconds; the verify run behind it happens on its own schedule.
    private sealed class SchemaVerdictHealthCheck(SchemaHealthResource schema) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(new HealthCheckResult(schema.Verdict.Status, schema.Verdict.Reason));
    }
}
