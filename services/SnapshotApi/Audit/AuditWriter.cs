using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Sts.SnapshotApi.Audit;

/// <summary>
/// Group commit for the records of calls that change nothing (reads, refusals): each caller waits for its record to be
/// committed, and whatever records wait together go to PostgreSQL in one statement and one commit. So reads do not each
/// cost a transaction, and no record is acknowledged before it is durable.
/// </summary>
public sealed partial class AuditWriter(NpgsqlDataSource dataSource, IOptions<AuditOptions> options, ILogger<AuditWriter> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completes once the record is committed; fails with the database's error if it could not be.</summary>
    public Task WriteAsync(AuditRow row, CancellationToken cancellationToken)
    {
        var pending = new Pending(row, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
            return Task.FromException(new InvalidOperationException("The audit writer has stopped; the service is shutting down."));
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(options.Value.GroupCommitMax);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
                await FlushAsync(reader, batch, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: calls in flight have finished by now (the web server stops first); write what is left.
        }
        _queue.Writer.TryComplete();
        while (reader.TryPeek(out _)) await FlushAsync(reader, batch, CancellationToken.None);
    }

    private async Task FlushAsync(ChannelReader<Pending> reader, List<Pending> batch, CancellationToken ct)
    {
        batch.Clear();
        while (batch.Count < options.Value.GroupCommitMax && reader.TryRead(out var next)) batch.Add(next);
        if (batch.Count == 0) return;
        try
        {
            await InsertAsync(batch.Select(p => p.Row).ToList(), ct);
            foreach (var p in batch) p.Done.TrySetResult();
        }
        catch (Exception ex)
        {
            GroupFailed(logger, batch.Count, ex.Message);
            foreach (var p in batch) p.Done.TrySetException(ex);
        }
    }

    private async Task InsertAsync(List<AuditRow> rows, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO audit_log (at, actor, action, room_id, snapshot_id, outcome, metadata)
            SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::jsonb[])
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.At).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Actor).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Action).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.RoomId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.SnapshotId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Outcome).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Metadata).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed record Pending(AuditRow Row, TaskCompletionSource Done);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group of {Count} audit records could not be written: {Error}")]
    private static partial void GroupFailed(ILogger logger, int count, string error);
}
