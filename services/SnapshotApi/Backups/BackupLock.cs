using Npgsql;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// One backup or restore at a time in the whole deployment: a PostgreSQL session advisory lock held on a connection of
/// its own for the whole operation. The holder names itself in application_name, so that a refused caller (and an
/// operator in pg_stat_activity) can see which operation runs, where and since when. A replica that dies or loses its
/// connection releases the lock with its session.
/// </summary>
public sealed class BackupLock(NpgsqlDataSource dataSource, TimeProvider clock)
{
    internal const long Key = 0x5354_5342_4143_4B55; // "STSBACKU"
    private const string NamePrefix = "sts-backup ";

    /// <summary>Takes the lock or throws <see cref="BackupBusyException"/> naming the holder.</summary>
    public async Task<Lease> AcquireAsync(string operation, string id, CancellationToken ct)
    {
        // application_name keeps 63 bytes: the operation and id first, the host last.
        var name = $"{NamePrefix}{operation} {id} since {clock.GetUtcNow():HH:mm:ss'Z'} on {Environment.MachineName}";
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using (var command = new NpgsqlCommand("SELECT set_config('application_name', $1, false), pg_try_advisory_lock($2)", connection))
            {
                command.Parameters.AddWithValue(name[..Math.Min(name.Length, 63)]);
                command.Parameters.AddWithValue(Key);
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                if (reader.GetBoolean(1)) return new Lease(connection);
            }
            throw new BackupBusyException(await HolderAsync(connection, ct) ?? "an operation that has just finished");
        }
        catch
        {
            await ResetAsync(connection);
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The running operation as it named itself, or null when none runs.</summary>
    public async Task<string?> HolderAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await HolderAsync(connection, ct);
    }

    private static async Task<string?> HolderAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        // A bigint advisory key shows in pg_locks as classid (high half), objid (low half) and objsubid 1.
        await using var command = new NpgsqlCommand("""
            SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = $1 AND l.objid::bigint = $2
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection);
        command.Parameters.AddWithValue(Key >> 32);
        command.Parameters.AddWithValue(Key & 0xFFFF_FFFF);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var name = reader.GetString(0);
        return name.StartsWith(NamePrefix, StringComparison.Ordinal) ? name[NamePrefix.Length..] : $"an unnamed session (pid {reader.GetInt32(1)})";
    }

    /// <summary>
    /// Unlocks and clears the name before the connection goes back to the pool: the pool resets a connection only when
    /// it is next used, and a session lock would outlive the operation until then.
    /// </summary>
    private static async Task ResetAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock_all(), set_config('application_name', '', false)", connection) { CommandTimeout = 5 };
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Broken already: the session, and its lock, went with it.
        }
    }

    /// <summary>The held lock; its session's pid is spared when a restore ends every other session of the database.</summary>
    public sealed class Lease(NpgsqlConnection connection) : IAsyncDisposable
    {
        public int ProcessId => connection.ProcessID;

        internal NpgsqlConnection Connection => connection;

        public async ValueTask DisposeAsync()
        {
            await ResetAsync(connection);
            await connection.DisposeAsync();
        }
    }
}
