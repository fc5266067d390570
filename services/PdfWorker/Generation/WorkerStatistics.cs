namespace Sts.PdfWorker.Generation;

/// <summary>Counts what this worker process has done; read by metrics and by tests that check each snapshot is rendered once.</summary>
public sealed class WorkerStatistics
{
    private long _renders;
    private long _failures;
    private int _inFlight;

    public long Renders => Interlocked.Read(ref _renders);

    public long Failures => Interlocked.Read(ref _failures);

    public int InFlight => Volatile.Read(ref _inFlight);

    public void RenderStarted() => Interlocked.Increment(ref _inFlight);

    public void RenderFinished(bool succeeded)
    {
        Interlocked.Decrement(ref _inFlight);
        if (succeeded) Interlocked.Increment(ref _renders);
        else Interlocked.Increment(ref _failures);
    }
}
