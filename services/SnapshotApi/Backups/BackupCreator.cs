using System.Data;
using Npgsql;
using Sts.Shared.Storage;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// Takes one backup (the caller holds <see cref="BackupLock"/>): in one REPEATABLE READ transaction it reads the schema
/// version, the audit chain head and the snapshot objects, exports its snapshot and has pg_dump dump exactly that state,
/// streaming into storage; then it copies each snapshot object under the backup (a hard link on a filesystem, a
/// server-side copy on S3) and writes the manifest last. Copies rather than references: snapshot retention and legal-hold
/// deletes remove files a backup must still have, and bucket versioning cannot be assumed (s3rver has none).
/// </summary>
public sealed partial class BackupCreator(
    NpgsqlDataSource dataSource, ISnapshotStore store, BackupCatalog catalog, PostgresTools tools, TimeProvider clock, ILogger<BackupCreator> logger)
{
    public async Task<BackupManifest> CreateAsync(string id, string reason, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var createdAt = clock.GetUtcNow();
        try
        {
            StoredFile dump;
            DatabaseState state;
            await using (var connection = await dataSource.OpenConnectionAsync(ct))
            await using (var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
            {
                var exported = (string)(await ScalarAsync(connection, tx, "SELECT pg_export_snapshot()", ct))!;
                state = await ReadStateAsync(connection, tx, ct);
                await using (var writer = await store.OpenWriteAsync(StorageKey.ForBackup(id, BackupManifest.DumpName), ct))
                {
                    await tools.DumpAsync(writer.Stream, exported, ct);
                    dump = await writer.CommitAsync(ct);
                }
                await tx.CommitAsync(ct);
            }
            foreach (var file in state.Files)
            {
                if (!await store.CopyAsync(file.Key, StorageKey.ForBackupCopy(id, file.Key), ct))
                    throw new BackupFailedException(
                        $"Snapshot {file.SnapshotId:D}'s object {file.Key} is missing from storage, so backup {id} cannot hold it (a snapshot deleted during the backup, or a lost file: AdminService.VerifyStorage tells which). The next backup tries again.");
            }
            var manifest = new BackupManifest(id, createdAt, reason, new BackupObject(dump.SizeBytes, dump.Sha256), state.ServerVersion,
                state.SchemaVersion, state.AuditHead, state.Files, clock.GetElapsedTime(started).TotalSeconds);
            await catalog.WriteManifestAsync(manifest, ct);
            Created(logger, id, reason, dump.SizeBytes, state.Files.Count, manifest.DurationSeconds);
            return manifest;
        }
        catch (Exception ex)
        {
            // What was written is no backup (it has no manifest, so nothing lists it); remove it rather than leave it.
            BackupAbandoned(logger, id, ex.Message);
            try
            {
                await catalog.DeleteAsync(id, CancellationToken.None);
            }
            catch (Exception cleanup) when (cleanup is StorageUnavailableException or IOException)
            {
                // Left behind without a manifest; never listed, and the next delete of this id removes it.
            }
            throw;
        }
    }

    private sealed record DatabaseState(string ServerVersion, string SchemaVersion, BackupAuditHead? AuditHead, List<BackupFile> Files);

    private static async Task<DatabaseState> ReadStateAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        var serverVersion = (string)(await ScalarAsync(connection, tx, "SHOW server_version", ct))!;
        var schemaVersion = await SchemaVersionAsync(connection, tx, ct);
        BackupAuditHead? head = null;
        await using (var command = new NpgsqlCommand(
            "SELECT sequence, hash, at FROM audit_log WHERE sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1", connection, tx))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct)) head = new BackupAuditHead(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
        }
        var files = new List<BackupFile>();
        await using (var command = new NpgsqlCommand("""
            SELECT id, file_key, size_bytes, sha256, false FROM snapshots WHERE status = 'completed' AND file_key IS NOT NULL AND sha256 IS NOT NULL
            UNION ALL
            SELECT id, state_key, coalesce(state_bytes, -1), content_hash, true FROM snapshots WHERE state_key IS NOT NULL
            ORDER BY 2
            """, connection, tx))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                files.Add(new BackupFile(reader.GetString(1), reader.GetGuid(0), reader.GetInt64(2), reader.GetString(3), reader.GetBoolean(4)));
        }
        return new DatabaseState(serverVersion, schemaVersion, head, files);
    }

    /// <summary>The newest EF Core migration applied ("" before the first).</summary>
    internal static async Task<string> SchemaVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var exists = await ScalarAsync(connection, tx, "SELECT to_regclass('public.\"__EFMigrationsHistory\"') IS NOT NULL", ct);
        if (exists is not true) return "";
        return await ScalarAsync(connection, tx, "SELECT max(\"MigrationId\") FROM \"__EFMigrationsHistory\"", ct) as string ?? "";
    }

    internal static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        return await command.ExecuteScalarAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {BackupId} ({Reason}) taken: dump {DumpBytes} bytes, {Files} snapshot objects, {Seconds:F1} s")]
    private static partial void Created(ILogger logger, string backupId, string reason, long dumpBytes, int files, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {BackupId} failed and is removed: {Error}")]
    private static partial void BackupAbandoned(ILogger logger, string backupId, string error);
}
