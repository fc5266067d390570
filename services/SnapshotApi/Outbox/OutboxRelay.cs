using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using Sts.Shared.Messaging;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Outbox;

/// <summary>
/// Sends outbox rows to RabbitMQ with publisher confirms. Rows are claimed with FOR UPDATE SKIP LOCKED
/// (so several replicas never publish the same row at once) and marked sent only after the broker confirmed
/// them. A crash between confirm and commit republishes the row; consumers are idempotent for that reason.
/// </summary>
public sealed class OutboxRelay(
    NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, IOptions<OutboxOptions> options, IOptions<BusOptions> busOptions, ApiMetrics metrics,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly Uri _interactiveQueue = QueueTopology.SendAddress(GenerateSnapshot.Queue, busOptions.Value);
    private readonly Uri _scheduledQueue = QueueTopology.SendAddress(GenerateSnapshot.ScheduledQueue, busOptions.Value);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // MassTransit starts the bus before this service starts (WaitUntilStarted), so nothing is published into a bus that drops it.
        var settings = options.Value;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = await RelayBatchAsync(settings, stoppingToken);
                failures = 0;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                logger.LogWarning("Outbox relay round failed ({Error}); retrying", ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * failures)), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (!more)
                await signal.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Sends one batch; true when it was full and sent, so more rows are probably waiting.</summary>
    private async Task<bool> RelayBatchAsync(OutboxOptions settings, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Sizes first, payloads second, so a batch stays within MaxBatchBytes. Rows claimed but not taken stay
        // locked (other replicas skip them) until this transaction ends, and are first in line next round.
        var ids = new List<long>();
        var sizes = new List<long>();
        await using (var claim = new NpgsqlCommand(
            "SELECT id, octet_length(payload) FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED", connection, tx))
        {
            claim.Parameters.AddWithValue(settings.BatchSize);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
                sizes.Add(reader.GetInt64(1));
            }
        }
        if (ids.Count == 0) return false;
        var taken = OutboxBatch.Take(sizes, settings.MaxBatchBytes);
        var full = taken < ids.Count || ids.Count == settings.BatchSize;

        var rows = new List<OutboxRow>(taken);
        await using (var load = new NpgsqlCommand(
            "SELECT id, message_id, message_type, payload, trace_parent FROM outbox WHERE id = ANY($1) ORDER BY id", connection, tx))
        {
            load.Parameters.AddWithValue(ids.GetRange(0, taken).ToArray());
            await using var reader = await load.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new OutboxRow
                {
                    Id = reader.GetInt64(0), MessageId = reader.GetGuid(1), MessageType = reader.GetString(2), Payload = reader.GetString(3),
                    TraceParent = reader.IsDBNull(4) ? null : reader.GetString(4),
                });
            }
        }
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, settings.PublishTimeout, ct)));
        var sent = rows.Where((_, i) => outcomes[i] is null).Select(r => r.Id).ToArray();
        await using (var markSent = new NpgsqlCommand("UPDATE outbox SET sent_at = now() WHERE id = ANY($1)", connection, tx))
        {
            markSent.Parameters.AddWithValue(sent);
            await markSent.ExecuteNonQueryAsync(ct);
        }
        for (var i = 0; i < rows.Count; i++)
        {
            if (outcomes[i] is not { } error) continue;
            await using var markFailed = new NpgsqlCommand("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1", connection, tx);
            markFailed.Parameters.AddWithValue(rows[i].Id);
            markFailed.Parameters.AddWithValue(error);
            await markFailed.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        metrics.OutboxPublished(sent.Length);
        if (sent.Length < rows.Count)
        {
            metrics.OutboxPublishFailed(rows.Count - sent.Length);
            logger.LogWarning("Outbox relay published {Sent} of {Claimed} rows; the rest stay for the next round", sent.Length, rows.Count);
        }
        return full && sent.Length == rows.Count;
    }

    /// <summary>Publishes one row and waits for the broker's confirm; returns null on success, else the reason.</summary>
    private async Task<string?> PublishAsync(OutboxRow row, TimeSpan timeout, CancellationToken ct)
    {
        // Continue the trace of the request that wrote the row, so create, relay, render and complete form one trace.
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = ApiTracing.Source.StartActivity("outbox relay", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.MessageId.ToString());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            switch (row.MessageType)
            {
                case nameof(GenerateSnapshot):
                    var message = JsonSerializer.Deserialize<GenerateSnapshot>(row.Payload)
                        ?? throw new JsonException("empty payload");
                    // Sent to the queue, not published: an exchange with no queue bound yet (a broker no worker has
                    // started on) would confirm the message and drop it. The queue exists: declared at start-up (QueueTopology).
                    var queue = await bus.GetSendEndpoint(message.Scheduled ? _scheduledQueue : _interactiveQueue);
                    await queue.Send(message, context => context.MessageId = row.MessageId, deadline.Token);
                    return null;
                default:
                    // A row this version does not know: leave it (and say so) rather than drop it.
                    return $"unknown message type '{row.MessageType}'";
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return ex.Message;
        }
    }
}
