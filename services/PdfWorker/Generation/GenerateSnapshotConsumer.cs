using System.Diagnostics;
using Google.Protobuf;
using MassTransit;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.PdfWorker.Rendering;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;
using Sts.Shared.Storage;

namespace Sts.PdfWorker.Generation;

/// <summary>
/// Renders one snapshot and stores its file, reporting each stage. Safe to run twice for the same snapshot:
/// the storage key is deterministic, so a redelivery overwrites the same object, and the API ignores
/// repeated events.
/// </summary>
public sealed partial class GenerateSnapshotConsumer(
    IEnumerable<ISnapshotRenderer> renderers, ISnapshotStore store, WorkerStatistics statistics,
    IOptions<WorkerOptions> options, TimeProvider clock, ILogger<GenerateSnapshotConsumer> logger) : IConsumer<GenerateSnapshot>
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
        if (RoomState.Sha256Hex(message.RoomState) != message.ContentHash)
        {
            await FailAsync(context, "The frozen room state does not match its content hash; the message was corrupted.");
            return;
        }
        Room room;
        string key;
        try
        {
            room = RoomState.Parse(message.RoomState);
            key = StorageKey.For(message.RoomId, message.SnapshotId, renderer.FileExtension);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException or FormatException)
        {
            await FailAsync(context, $"The snapshot cannot be rendered: {ex.Message}");
            return;
        }

        await ProgressAsync(context, RenderStage.Rendering);
        statistics.RenderStarted();
        var succeeded = false;
        try
        {
            var watch = Stopwatch.StartNew();
            var rendered = renderer.Render(message, room);
            var renderMillis = watch.ElapsedMilliseconds;
            await ProgressAsync(context, RenderStage.Rendered);

            // Storage faults are usually transient: let them throw, so MassTransit retries and finally faults.
            var stored = await store.WriteAsync(key, rendered.Content, ct);
            await ProgressAsync(context, RenderStage.Stored);

            await context.Publish(new SnapshotCompleted
            {
                SnapshotId = message.SnapshotId,
                FileKey = stored.Key,
                SizeBytes = stored.SizeBytes,
                Sha256 = stored.Sha256,
                RenderMillis = renderMillis,
                Cached = false,
                At = clock.GetUtcNow(),
                WorkerId = _workerId,
            }, ct);
            succeeded = true;
            Rendered(logger, message.SnapshotId, message.Format, renderMillis, rendered.PageCount, stored.SizeBytes);
        }
        finally
        {
            statistics.RenderFinished(succeeded);
        }
    }

    private Task ProgressAsync(ConsumeContext<GenerateSnapshot> context, RenderStage stage) =>
        context.Publish(new SnapshotProgressed
        {
            SnapshotId = context.Message.SnapshotId,
            Sequence = (long)stage,
            Stage = stage,
            Percent = RenderStages.Percent(stage),
            At = clock.GetUtcNow(),
            WorkerId = _workerId,
        }, context.CancellationToken);

    private Task FailAsync(ConsumeContext<GenerateSnapshot> context, string reason)
    {
        Failed(logger, context.Message.SnapshotId, reason);
        return context.Publish(new SnapshotFailed { SnapshotId = context.Message.SnapshotId, Reason = reason, At = clock.GetUtcNow(), WorkerId = _workerId }, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshot {SnapshotId} rendered as {Format} in {RenderMillis} ms ({Pages} pages, {SizeBytes} bytes)")]
    private static partial void Rendered(ILogger logger, Guid snapshotId, string format, long renderMillis, int pages, long sizeBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot {SnapshotId} cannot be rendered: {Reason}")]
    private static partial void Failed(ILogger logger, Guid snapshotId, string reason);
}
