using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Events.EventStream;

/// <summary>
/// The one LISTEN connection of this instance for monitoring events and their resolutions, fanned out
/// in-process to every open stream (the API's and the console's). A stream costs a queue here, never a
/// database connection: 105 streams used to hold 105 pooled connections and starve every other request.
/// Streams are limited per client (<see cref="EventStreamOptions"/>).
/// </summary>
public sealed class MonitoringEventHub(MonitoringDatabase database, IOptions<EventStreamOptions> options, ILogger<MonitoringEventHub> logger)
    : BackgroundService
{
    /// <summary>monitoring_events' insert trigger announces each recorded event here.</summary>
    public const string EventChannel = "monitoring_events";

    /// <summary>The trigger monitoring_events_notify_resolved announces resolved events here.</summary>
    public const string ResolvedChannel = "monitoring_events_resolved";

    private static readonly TimeSpan ListenWait = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private readonly HashSet<EventSubscription> subscriptions = [];
    private readonly Dictionary<string, int> perClient = new(StringComparer.Ordinal);
    private TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Open streams of this instance, all clients.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return subscriptions.Count;
            }
        }
    }

    /// <summary>
    /// A subscription for <paramref name="client"/> once the hub listens (so nothing recorded after this
    /// returns is missed), or null when the client already holds its limit of streams.
    /// </summary>
    /// <exception cref="TimeoutException">the hub could not listen within a few seconds (database unreachable).</exception>
    public async Task<EventSubscription?> SubscribeAsync(string client, CancellationToken ct)
    {
        EventSubscription subscription;
        Task ready;
        lock (gate)
        {
            var held = perClient.GetValueOrDefault(client);
            if (held >= options.Value.StreamsPerClient || subscriptions.Count >= options.Value.MaxStreams)
            {
                return null;
            }

            perClient[client] = held + 1;
            subscription = new EventSubscription(this, client);
            subscriptions.Add(subscription);
            ready = listening.Task;
        }

        try
        {
            await ready.WaitAsync(ListenWait, ct);
            return subscription;
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }

    internal void Remove(EventSubscription subscription)
    {
        lock (gate)
        {
            if (subscriptions.Remove(subscription) && perClient.TryGetValue(subscription.Client, out var held))
            {
                if (held <= 1)
                {
                    perClient.Remove(subscription.Client);
                }
                else
                {
                    perClient[subscription.Client] = held - 1;
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Publish(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {EventChannel}; LISTEN {ResolvedChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                listening.TrySetResult();
                retry = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    // Returns on a notification (raising Notification) or after the wait; a broken connection throws.
                    await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                lock (gate)
                {
                    if (listening.Task.IsCompleted)
                    {
                        listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                logger.LogWarning(exception, "The monitoring event listener lost its connection; listening again in {Retry}.", retry);
                await Task.Delay(retry, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
    }

    private void Publish(string channel, string payload)
    {
        var name = channel == ResolvedChannel ? "monitoring-event-resolved" : "monitoring-event";
        EventSubscription[] open;
        lock (gate)
        {
            open = [.. subscriptions];
        }

        foreach (var subscription in open)
        {
            subscription.Offer(new StreamedEvent(name, payload));
        }
    }
}

/// <summary>One notification as a stream sends it: the SSE event name and its JSON data.</summary>
public sealed record StreamedEvent(string Name, string Data);

/// <summary>One open stream's queue; dispose it when the stream ends to free the client's slot.</summary>
public sealed class EventSubscription(MonitoringEventHub hub, string client) : IDisposable
{
    // A client that stops reading loses its oldest events, never the hub's memory or other clients' events.
    private readonly Channel<StreamedEvent> queue = Channel.CreateBounded<StreamedEvent>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

    public string Client { get; } = client;

    public ChannelReader<StreamedEvent> Reader => queue.Reader;

    internal void Offer(StreamedEvent streamed) => queue.Writer.TryWrite(streamed);

    public void Dispose()
    {
        queue.Writer.TryComplete();
        hub.Remove(this);
    }
}
