namespace Sts.SnapshotApi.Outbox;

/// <summary>
/// Wakes this replica's outbox relay when this replica has just committed outbox rows, so a create is relayed at once
/// instead of at the next poll. In process on purpose: a PostgreSQL NOTIFY per create would serialise every commit on
/// the notification queue's lock. Rows committed by other replicas are found by their own relay or by polling.
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        if (_wake.CurrentCount > 0) return;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Woken already.
        }
    }

    /// <summary>Until woken or <paramref name="timeout"/> passes.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _wake.Dispose();
}
