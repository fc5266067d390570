using System.Text.Json;
using Sts.Shared.Messaging;

namespace Sts.SnapshotApi.Outbox;

/// <summary>A message committed with the change that caused it, waiting for the relay to publish it.</summary>
public sealed class OutboxRow
{
    public long Id { get; set; }
    /// <summary>Becomes the bus MessageId, so consumers can spot a redelivery.</summary>
    public Guid MessageId { get; set; }
    public required string MessageType { get; set; }
    /// <summary>The snapshot the message is about, so the reaper can tell a task whose message has not left yet.</summary>
    public Guid? SnapshotId { get; set; }
    public required string Payload { get; set; }
    /// <summary>W3C traceparent of the request that wrote the row, so the trace continues through the bus.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>The row that asks a worker to render a snapshot (on create, and again from the reaper).</summary>
    public static OutboxRow For(GenerateSnapshot message, DateTimeOffset now, string? traceParent = null) => new()
    {
        MessageId = Guid.CreateVersion7(now),
        MessageType = nameof(GenerateSnapshot),
        SnapshotId = message.SnapshotId,
        Payload = JsonSerializer.Serialize(message),
        TraceParent = traceParent,
        CreatedAt = now,
    };
}
