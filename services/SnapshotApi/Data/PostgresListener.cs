using System.Collections.Concurrent;
using Npgsql;

namespace Sts.SnapshotApi.Data;

/// <summary>
/// The replica's one LISTEN connection: every PostgreSQL notification channel this service follows is listened to here
/// and handed to its subscribers. After a lost connection it reconnects and tells each subscriber it may have missed
/// notifications (<c>resync</c>), since NOTIFY is not queued for a listener that is away.
/// </summary>
public sealed partial class PostgresListener(NpgsqlDataSource dataSource, IHostApplicationLifetime lifetime, ILogger<PostgresListener> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, Subscriber> _channels = new(StringComparer.Ordinal);

    /// <summary>Follows <paramref name="channel"/>; subscribe while the host starts (in a hosted service's StartAsync).</summary>
    public void Subscribe(string channel, Action<string> onNotification, Action onResync)
    {
        if (!_channels.TryAdd(channel, new Subscriber(onNotification, onResync)))
            throw new InvalidOperationException($"The channel '{channel}' has a subscriber already.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Every subscriber has subscribed once the host has started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (_channels.TryGetValue(e.Channel, out var subscriber)) subscriber.OnNotification(e.Payload);
                };
                foreach (var channel in _channels.Keys)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Whatever was announced while nobody listened is only found by looking again.
                foreach (var subscriber in _channels.Values) subscriber.OnResync();
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Notifications only speed things up (every subscriber also looks again on its own): never stop for them.
                Reconnecting(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private sealed record Subscriber(Action<string> OnNotification, Action OnResync);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL notifications: connection lost ({Error}); reconnecting")]
    private static partial void Reconnecting(ILogger logger, string error);
}
