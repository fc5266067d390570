using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.PdfWorker.Cache;
using Sts.PdfWorker.Rendering;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;
using Sts.Shared.Storage;

namespace Sts.PdfWorker.Generation;

/// <summary>
/// Renders one snapshot (or takes it from the render cache) and stores its file, reporting each stage.
/// Safe to run twice for the same snapshot: the storage key is deterministic, so a redelivery overwrites
/// the same object, and the API ignores repeated events.
/// </summary>
public sealed partial class GenerateSnapshotConsumer(
    IEnumerable<ISnapshotRenderer> renderers, RenderCache cache, ISnapshotStore store, RoomStateReader states, RenderSlots slots,
    WorkerStatistics statistics, IOptions<WorkerOptions> options, TimeProvider clock, ILogger<GenerateSnapshotConsumer> logger) : IConsumer<GenerateSnapshot>
{
    private readonly string _workerId = options.Value.WorkerId;

    public async Task Consume(ConsumeContext<GenerateSnapshot> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        // Problems in the message itself will not go away on retry: fail the snapshot at once.
        var renderer = renderers.FirstOrDefault(r => r.Format == message.Format);
        if (renderer is null)
        {
            await FailAsync(context, $"Unknown snapshot format '{message.Format}'.");
            return;
        }
        string key;
        try
        {
            key = StorageKey.For(message.RoomId, message.SnapshotId, renderer.FileExtension);
        }
        catch (ArgumentException ex)
        {
            await FailAsync(context, $"The snapshot cannot be stored: {ex.Message}");
            return;
        }

        statistics.Started();
        await using var progress = new RenderProgress(context, options.Value.ProgressDelay, clock, _workerId);
        try
        {
            var watch = Stopwatch.StartNew();
            byte[] file;
            bool cached;
            using (WorkerStatistics.Tracing.StartActivity("render"))
            using (await slots.EnterAsync(message.Scheduled, ct))
            {
                var cacheKey = RenderCacheKey.For(renderer, message);
                cached = cache.TryGet(cacheKey, out var body, out _);
                if (!cached)
                {
                    // Read only on a miss: a repeat of an unchanged room never touches its (possibly large) state.
                    Room room;
                    Room? compared = null;
                    try
                    {
                        room = await states.ReadAsync(FrozenState.Of(message), ct);
                        if (message.CompareTo is { } other && renderer.Format == "pdf")
                            compared = await ReadComparedAsync(other, ct);
                    }
                    catch (UnreadableStateException ex)
                    {
                        await FailAsync(context, ex.Message);
                        return;
                    }
                    try
                    {
                        body = renderer.RenderBody(message, room, RenderLimit.After(options.Value.RenderTimeout, ct), compared).Content;
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        statistics.TimedOut(renderer.Format);
                        await FailAsync(context, $"Rendering passed its time limit of {options.Value.RenderTimeout} and was stopped; the room is too large for this worker's settings (Worker:RenderTimeout).");
                        return;
                    }
                    cache.Put(cacheKey, body);
                }
                file = renderer.Finish(message, body);
            }
            var renderTime = watch.Elapsed;
            if (cached) statistics.ServedFromCache(renderer.Format);
            else statistics.Rendered(renderer.Format, renderTime);
            await progress.StageAsync(RenderStage.Rendered);

            // Storage faults are usually transient: let them throw, so MassTransit retries and finally faults.
            StoredFile stored;
            using (WorkerStatistics.Tracing.StartActivity("store"))
                stored = await store.WriteAsync(key, file, ct);
            statistics.Stored(stored.SizeBytes);
            await progress.StageAsync(RenderStage.Stored);

            await context.Publish(new SnapshotCompleted
            {
                SnapshotId = message.SnapshotId,
                FileKey = stored.Key,
                SizeBytes = stored.SizeBytes,
                Sha256 = stored.Sha256,
                RenderMillis = (long)renderTime.TotalMilliseconds,
                Cached = cached,
                At = clock.GetUtcNow(),
                WorkerId = _workerId,
            }, ct);
            Completed(logger, message.SnapshotId, message.Format, cached, renderTime.TotalMilliseconds, watch.Elapsed.TotalMilliseconds, stored.SizeBytes);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Shutdown's drain time ran out: not a failure. The message is not acknowledged, so it goes back to the queue.
            statistics.CutShort();
            throw;
        }
        catch (Exception)
        {
            statistics.Failed(renderer.Format);
            throw;
        }
        finally
        {
            statistics.Finished();
        }
    }

    /// <summary>The room of the snapshot a "Changes since" section compares with; that snapshot may have been deleted since.</summary>
    private async Task<Room> ReadComparedAsync(ComparedSnapshot compared, CancellationToken ct)
    {
        try
        {
            return await states.ReadAsync(FrozenState.Of(compared), ct);
        }
        catch (UnreadableStateException ex)
        {
            throw new UnreadableStateException(
                $"The state of snapshot {compared.SnapshotId:D}, which this one compares with, cannot be read (was it deleted?): {ex.Message}");
        }
    }

    private Task FailAsync(ConsumeContext<GenerateSnapshot> context, string reason)
    {
        Failed(logger, context.Message.SnapshotId, reason);
        return context.Publish(new SnapshotFailed { SnapshotId = context.Message.SnapshotId, Reason = reason, At = clock.GetUtcNow(), WorkerId = _workerId }, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshot {SnapshotId} done as {Format} (cached {Cached}): render {RenderMillis:F2} ms, total {TotalMillis:F2} ms, {SizeBytes} bytes")]
    private static partial void Completed(ILogger logger, Guid snapshotId, string format, bool cached, double renderMillis, double totalMillis, long sizeBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot {SnapshotId} cannot be rendered: {Reason}")]
    private static partial void Failed(ILogger logger, Guid snapshotId, string reason);
}
