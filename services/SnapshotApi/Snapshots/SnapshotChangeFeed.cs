using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Wakes WatchSnapshot streams when a snapshot changes, on whichever replica applied the change:
/// one LISTEN connection per replica on <see cref="SnapshotTransitions.ChangeChannel"/>. Watchers also
/// poll, so a dropped connection delays updates but never loses them.
/// </summary>
public sealed class SnapshotChangeFeed(NpgsqlDataSource dataSource, ILogger<SnapshotChangeFeed> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();

    public int ActiveSubscriptions => _subscribers.Values.Sum(s => s.Count);

    public Subscription Subscribe(Guid snapshotId)
    {
        var subscription = new Subscription(this, snapshotId);
        _subscribers.GetOrAdd(snapshotId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var id)) Signal(id);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {SnapshotTransitions.ChangeChannel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Changes made while we were not listening: let every watcher look again.
                foreach (var id in _subscribers.Keys) Signal(id);
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                logger.LogWarning("Snapshot change feed lost its connection ({Error}); reconnecting", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private void Signal(Guid snapshotId)
    {
        if (!_subscribers.TryGetValue(snapshotId, out var subscriptions)) return;
        foreach (var subscription in subscriptions.Keys) subscription.Wake();
    }

    private void Remove(Subscription subscription)
    {
        if (_subscribers.TryGetValue(subscription.SnapshotId, out var subscriptions))
        {
            subscriptions.TryRemove(subscription, out _);
            if (subscriptions.IsEmpty) _subscribers.TryRemove(new KeyValuePair<Guid, ConcurrentDictionary<Subscription, byte>>(subscription.SnapshotId, subscriptions));
        }
    }

    /// <summary>One watcher's interest in one snapshot. Wake-ups coalesce: the watcher rereads the row anyway.</summary>
    public sealed class Subscription(SnapshotChangeFeed feed, Guid snapshotId) : IDisposable
    {
        private readonly Channel<bool> _wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public Guid SnapshotId { get; } = snapshotId;

        /// <summary>Waits for a change or until <paramref name="timeout"/> passes, whichever is first.</summary>
        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                await _wakeups.Reader.ReadAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Timed out: the caller polls.
            }
        }

        internal void Wake() => _wakeups.Writer.TryWrite(true);

        public void Dispose() => feed.Remove(this);
    }
}
