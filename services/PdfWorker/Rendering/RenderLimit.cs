using System.Diagnostics;

namespace Sts.PdfWorker.Rendering;

/// <summary>
/// How long a render may run. Checked by the renderer between pages against the clock itself, not by a
/// timer callback, so a busy thread pool cannot let a render overrun its limit unnoticed.
/// </summary>
public readonly record struct RenderLimit(long DeadlineTimestamp, CancellationToken CancellationToken)
{
    public static RenderLimit After(TimeSpan budget, CancellationToken cancellationToken) =>
        new(Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency), cancellationToken);

    /// <summary>Throws OperationCanceledException once the deadline has passed or the work is cancelled.</summary>
    public void ThrowIfPassed()
    {
        CancellationToken.ThrowIfCancellationRequested();
        if (DeadlineTimestamp != 0 && Stopwatch.GetTimestamp() > DeadlineTimestamp)
            throw new OperationCanceledException("The render passed its time limit.");
    }
}
