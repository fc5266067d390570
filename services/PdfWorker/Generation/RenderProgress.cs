using MassTransit;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Generation;

/// <summary>
/// Progress events only where a person would see them: a render that finishes within Worker:ProgressDelay goes from
/// QUEUED straight to COMPLETED with one event, the completion. A longer one announces RENDERING once the delay has
/// passed, then each later stage. Each event is a broker round trip and an API transaction, so for the many small
/// snapshots that render in milliseconds this halves the work of the whole pipeline.
/// </summary>
public sealed class RenderProgress : IAsyncDisposable
{
    private readonly ConsumeContext<GenerateSnapshot> _context;
    private readonly TimeProvider _clock;
    private readonly string _workerId;
    private readonly CancellationTokenSource _cancel;
    private readonly Task _first;
    private volatile bool _announced;

    public RenderProgress(ConsumeContext<GenerateSnapshot> context, TimeSpan delay, TimeProvider clock, string workerId)
    {
        _context = context;
        _clock = clock;
        _workerId = workerId;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        _first = AnnounceAfterAsync(delay);
    }

    /// <summary>Reports a later stage, if this render has been announced at all.</summary>
    public async Task StageAsync(RenderStage stage)
    {
        if (!_announced) return;
        await _first;
        await PublishAsync(stage, _context.CancellationToken);
    }

    private async Task AnnounceAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _clock, _cancel.Token);
            _announced = true;
            await PublishAsync(RenderStage.Rendering, _cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // Finished first, or stopping.
        }
    }

    private Task PublishAsync(RenderStage stage, CancellationToken ct) =>
        _context.Publish(new SnapshotProgressed
        {
            SnapshotId = _context.Message.SnapshotId,
            Sequence = (long)stage,
            Stage = stage,
            Percent = RenderStages.Percent(stage),
            At = _clock.GetUtcNow(),
            WorkerId = _workerId,
        }, ct);

    public async ValueTask DisposeAsync()
    {
        if (!_announced) await _cancel.CancelAsync();
        await _first;
        _cancel.Dispose();
    }
}
