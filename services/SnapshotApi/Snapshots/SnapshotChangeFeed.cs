using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Hands every change of a watched snapshot to all of this replica's watchers of it. A change is announced on
/// <see cref="SnapshotTransitions.ChangeChannel"/> by whichever replica applied it; this replica then reads the row
/// once and gives the same <see cref="Snapshot"/> to each watcher, through a small buffer per watcher that drops the
/// oldest state when full, so one slow reader delays nobody and always ends with the newest state. Watched snapshots
/// are also read again every few seconds, so a lost notification delays a watcher but never strands it.
/// </summary>
public sealed partial class SnapshotChangeFeed(
    IDbContextFactory<StsDbContext> dbFactory, PostgresListener listener, ILogger<SnapshotChangeFeed> logger) : BackgroundService
{
    private const int BufferPerWatcher = 4;
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, Topic> _topics = new();

    public int ActiveSubscriptions => _topics.Values.Sum(t => t.Watchers.Count);

    /// <summary>Subscribe before reading the snapshot's first state, so that no change slips between the two.</summary>
    public Subscription Subscribe(Guid snapshotId)
    {
        var subscription = new Subscription(this, snapshotId);
        while (true)
        {
            var topic = _topics.GetOrAdd(snapshotId, _ => new Topic());
            lock (topic)
            {
                if (topic.Closed) continue; // removed just now; make a new one
                topic.Watchers[subscription] = 0;
                return subscription;
            }
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        listener.Subscribe(SnapshotTransitions.ChangeChannel,
            payload => { if (Guid.TryParse(payload, out var id)) Refresh(id); },
            () => { foreach (var id in _topics.Keys) Refresh(id); });
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SafetyNet);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                foreach (var id in _topics.Keys) Refresh(id);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Reads the snapshot once and hands it to every watcher; refreshes asked for meanwhile run once more after.</summary>
    private void Refresh(Guid snapshotId)
    {
        if (!_topics.TryGetValue(snapshotId, out var topic)) return;
        if (Interlocked.Increment(ref topic.Pending) > 1) return; // one is running; it will go round again
        _ = Task.Run(async () =>
        {
            do
            {
                Interlocked.Exchange(ref topic.Pending, 1);
                try
                {
                    await using var db = await dbFactory.CreateDbContextAsync();
                    var row = await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == snapshotId);
                    var change = new Change(row is null ? null : SnapshotMapping.ToProto(row));
                    foreach (var watcher in topic.Watchers.Keys) watcher.Offer(change);
                }
                catch (Exception ex)
                {
                    // Any fault, transient or not: the watchers keep their last state and the safety net reads again
                    // shortly. Letting it escape would leave Pending above zero, and no later refresh would ever run.
                    RefreshFailed(logger, snapshotId, ex.Message);
                }
            }
            while (Interlocked.Decrement(ref topic.Pending) > 0);
        });
    }

    private void Remove(Subscription subscription)
    {
        if (!_topics.TryGetValue(subscription.SnapshotId, out var topic)) return;
        lock (topic)
        {
            topic.Watchers.TryRemove(subscription, out _);
            if (!topic.Watchers.IsEmpty) return;
            topic.Closed = true;
            _topics.TryRemove(new KeyValuePair<Guid, Topic>(subscription.SnapshotId, topic));
        }
    }

    private sealed class Topic
    {
        public readonly ConcurrentDictionary<Subscription, byte> Watchers = new();
        public int Pending;
        public bool Closed;
    }

    /// <summary>A snapshot as it now is; null when it has been deleted.</summary>
    public sealed record Change(Snapshot? Snapshot);

    /// <summary>One watcher's interest in one snapshot.</summary>
    public sealed class Subscription(SnapshotChangeFeed feed, Guid snapshotId) : IDisposable
    {
        private readonly Channel<Change> _changes = Channel.CreateBounded<Change>(
            new BoundedChannelOptions(BufferPerWatcher) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        public Guid SnapshotId { get; } = snapshotId;

        internal void Offer(Change change) => _changes.Writer.TryWrite(change);

        /// <summary>The next change.</summary>
        public ValueTask<Change> NextAsync(CancellationToken cancellationToken) => _changes.Reader.ReadAsync(cancellationToken);

        public void Dispose() => feed.Remove(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read snapshot {SnapshotId} for its watchers: {Error}")]
    private static partial void RefreshFailed(ILogger logger, Guid snapshotId, string error);
}
