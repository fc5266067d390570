using Microsoft.Extensions.Options;

namespace Sts.PdfWorker.Generation;

/// <summary>
/// Rendering is CPU-bound, the rest of a consume (reading a state, storing the file, publishing) waits on I/O. So the
/// worker takes more messages at once (Worker:MessageConcurrency) than it renders (Worker:Concurrency, one per core),
/// and a render waits here for a slot. Scheduled work has slots of its own (Worker:ScheduledConcurrency).
/// </summary>
public sealed class RenderSlots(IOptions<WorkerOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _interactive = new(options.Value.EffectiveConcurrency);
    private readonly SemaphoreSlim _scheduled = new(options.Value.ScheduledConcurrency);

    /// <summary>A render slot, held until disposed.</summary>
    public async Task<IDisposable> EnterAsync(bool scheduled, CancellationToken ct)
    {
        var slots = scheduled ? _scheduled : _interactive;
        await slots.WaitAsync(ct);
        return new Slot(slots);
    }

    public void Dispose()
    {
        _interactive.Dispose();
        _scheduled.Dispose();
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
