using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Audit;

/// <summary>
/// Chains committed audit records in the order it finds them, which is commit order up to one sealing round: one
/// replica at a time seals (the one holding a session advisory lock on its own connection, so a replica that dies or
/// loses its connection hands over at once), setting each record's sequence, previous hash and hash. No request ever
/// waits on this: records are written unsealed in their own transactions, and only the sealer takes the lock. It also
/// writes the chain head to the snapshot store (AuditAnchor) and the log, and exports the sealing lag.
/// </summary>
public sealed partial class AuditSealer(
    NpgsqlDataSource dataSource, AuditAnchor anchor, IOptions<AuditOptions> options, ApiMetrics metrics, TimeProvider clock, ILogger<AuditSealer> logger)
    : BackgroundService
{
    private const long SealerLock = 0x5354_5341_5345_414C; // "STSASEAL"
    private static readonly TimeSpan AnchorLogInterval = TimeSpan.FromSeconds(10);

    private AuditAnchor.Head? _lastAnchored;
    private DateTimeOffset _lastAnchorAt;
    private DateTimeOffset _lastLogAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (!await TryLeadAsync(connection, stoppingToken))
                {
                    // Another replica seals; this one still watches the lag, so a stuck sealer is noticed anywhere.
                    metrics.AuditSealLag(await UnsealedAgeAsync(connection, stoppingToken));
                    await Task.Delay(settings.SealInterval * 5, clock, stoppingToken);
                    continue;
                }
                Leading(logger);
                try
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        // The head is read every round, not once per leadership: a backup restore replaces the audit
                        // log under a sealer that leads on, and chaining onto the head from before it breaks the chain.
                        var head = await HeadAsync(connection, stoppingToken);
                        var round = await SealRoundAsync(connection, head, stoppingToken);
                        metrics.AuditSealLag(round.Lag);
                        head = round.Head ?? head;
                        await AnchorAsync(head, stoppingToken);
                        if (round.Count < settings.SealBatch) await Task.Delay(settings.SealInterval, clock, stoppingToken);
                    }
                }
                finally
                {
                    await ReleaseAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A database that restarts, a schema not migrated yet, a lost lock: never a reason to stop the service.
                // The connection (and with it the lock) is gone; lead again, from the head the database has.
                if (TransientFaults.IsTransient(ex)) SealerInterrupted(logger, ex.Message);
                else SealerFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task<bool> TryLeadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
        command.Parameters.AddWithValue(SealerLock);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Gives the lock up before the connection goes back to the pool: a session lock outlives the connection's return
    /// to the pool (the pool resets a connection only when it is next used), and would otherwise keep every replica,
    /// this one included, from sealing. On a broken connection the server ends the session, and the lock with it.
    /// </summary>
    private static async Task ReleaseAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { CommandTimeout = 5 };
            command.Parameters.AddWithValue(SealerLock);
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Broken already: the session, and its lock, are gone with it.
        }
    }

    private static async Task<AuditAnchor.Head?> HeadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT sequence, hash, at FROM audit_log WHERE sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AuditAnchor.Head(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)) : null;
    }

    /// <summary>Seals the oldest unsealed records in one transaction: how many, the new head, and how old the oldest was.</summary>
    private async Task<(int Count, AuditAnchor.Head? Head, double Lag)> SealRoundAsync(NpgsqlConnection connection, AuditAnchor.Head? head, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = new List<AuditRow>();
        await using (var select = new NpgsqlCommand("""
            SELECT id, at, actor, action, room_id, snapshot_id, outcome, metadata FROM audit_log
            WHERE sequence IS NULL ORDER BY id LIMIT $1
            """, connection, tx))
        {
            select.Parameters.AddWithValue(options.Value.SealBatch);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new AuditRow
                {
                    Id = reader.GetInt64(0), At = reader.GetFieldValue<DateTimeOffset>(1), Actor = reader.GetString(2), Action = reader.GetString(3),
                    RoomId = reader.IsDBNull(4) ? null : reader.GetString(4), SnapshotId = reader.IsDBNull(5) ? null : reader.GetGuid(5),
                    Outcome = reader.GetString(6), Metadata = reader.GetString(7),
                });
            }
        }
        if (rows.Count == 0) return (0, null, 0);
        var lag = (clock.GetUtcNow() - rows.Min(r => r.At)).TotalSeconds;
        var sequence = head?.Sequence ?? 0;
        var previous = head?.Hash ?? AuditChain.GenesisHash;
        foreach (var row in rows)
        {
            row.Sequence = ++sequence;
            row.PreviousHash = previous;
            row.Hash = previous = AuditChain.Hash(row);
        }
        await using (var update = new NpgsqlCommand("""
            UPDATE audit_log a SET sequence = v.sequence, previous_hash = v.previous_hash, hash = v.hash
            FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, sequence, previous_hash, hash)
            WHERE a.id = v.id AND a.sequence IS NULL
            """, connection, tx))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Id).ToArray() });
            update.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Sequence!.Value).ToArray() });
            update.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.PreviousHash!).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            update.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Hash!).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            var updated = await update.ExecuteNonQueryAsync(ct);
            // Only this sealer writes chain positions; anything else means the lock did not hold, and the chain must not fork.
            if (updated != rows.Count) throw new InvalidOperationException($"Sealed {updated} of {rows.Count} audit records; another sealer is running.");
        }
        await tx.CommitAsync(ct);
        var last = rows[^1];
        return (rows.Count, new AuditAnchor.Head(last.Sequence!.Value, last.Hash!, last.At), lag);
    }

    private async Task AnchorAsync(AuditAnchor.Head? head, CancellationToken ct)
    {
        if (head is null || head == _lastAnchored) return;
        var now = clock.GetUtcNow();
        if (now - _lastAnchorAt < options.Value.AnchorInterval) return;
        await anchor.WriteAsync(head, ct);
        _lastAnchored = head;
        _lastAnchorAt = now;
        metrics.AuditChainHead(head.Sequence);
        if (now - _lastLogAt >= AnchorLogInterval)
        {
            // The log is a second anchor: shipped off the machine, it outlives both the database and the store.
            ChainHead(logger, head.Sequence, head.Hash);
            _lastLogAt = now;
        }
    }

    private static async Task<double> UnsealedAgeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(extract(epoch FROM now() - min(at)), 0)::float8 FROM audit_log WHERE sequence IS NULL", connection);
        return (double)(await command.ExecuteScalarAsync(ct))!;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica now seals the audit chain")]
    private static partial void Leading(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit chain head {Sequence} {Hash}")]
    private static partial void ChainHead(ILogger logger, long sequence, string hash);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit sealing failed; retrying")]
    private static partial void SealerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit sealing interrupted ({Error}); resuming")]
    private static partial void SealerInterrupted(ILogger logger, string error);
}
