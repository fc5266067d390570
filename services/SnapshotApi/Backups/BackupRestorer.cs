using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Admin;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// Puts a backup back (the caller holds <see cref="BackupLock"/>). Over a live database: verify the backup (refused,
/// with nothing touched, when it does not), take a rollback backup, restore the dump in one transaction, put the
/// snapshot objects and the audit anchor back, forget this replica's caches, then verify the audit chain and every
/// object. Into an empty database (bootstrap): the same without the rollback backup.
/// </summary>
public sealed partial class BackupRestorer(
    NpgsqlDataSource dataSource, ISnapshotStore store, BackupCreator creator, BackupVerifier verifier,
    PostgresTools tools, AuditLog auditLog, AuditAnchor anchor, RoomFreezer freezer, IDbContextFactory<StsDbContext> dbFactory,
    TimeProvider clock, ILogger<BackupRestorer> logger)
{
    public sealed record Result(BackupManifest Restored, string? RollbackId, long AuditRecordsChecked, long FilesRestored);

    public async Task<Result> RestoreOverLiveAsync(BackupLock.Lease lease, BackupManifest manifest, CancellationToken ct)
    {
        var migrations = await KnownMigrationsAsync(ct);
        if (manifest.SchemaVersion != migrations[^1])
            throw new BackupRefusedException(
                $"Backup {manifest.Id} has schema version {Shown(manifest.SchemaVersion)} and this release has {migrations[^1]}: nothing was touched. " +
                "Restore it with the release that took it, then upgrade; or bootstrap an empty database from it (its schema is then migrated).", []);
        await RefuseUnlessVerifiedAsync(manifest, ct);

        var rollbackId = BackupCatalog.NewId(clock.GetUtcNow());
        try
        {
            var rollback = await creator.CreateAsync(rollbackId, "rollback", ct);
            var check = await verifier.VerifyAsync(rollback, ct);
            if (!check.Ok) throw new BackupFailedException($"the rollback backup does not verify: {string.Join("; ", check.Faults)}");
        }
        catch (Exception ex) when (ex is BackupFailedException or StorageUnavailableException or NpgsqlException)
        {
            throw new BackupFailedException(
                $"The rollback backup could not be taken, so backup {manifest.Id} was not restored and nothing was touched: {ex.Message}", null, ex);
        }

        RestoreStarted(logger, manifest.Id, rollbackId);
        try
        {
            // Past the rollback point the restore runs to its end whoever goes away; only the tools' own timeout stops it.
            await ReplaceAsync(lease, manifest, endSessions: true, CancellationToken.None);
            var (audited, files) = await CheckRestoredAsync(manifest, CancellationToken.None);
            return new Result(manifest, rollbackId, audited, files);
        }
        catch (Exception ex)
        {
            RestoreFailed(logger, manifest.Id, rollbackId, ex);
            throw new BackupFailedException(
                $"Restore of backup {manifest.Id} failed part-way: {ex.Message} The state from before it is backup {rollbackId}; " +
                $"put it back with `sts admin backup restore {rollbackId}`.", rollbackId, ex);
        }
    }

    /// <summary>Bootstrap: restores into a database that has no tables; migrations run afterwards.</summary>
    public async Task<Result> RestoreIntoEmptyAsync(BackupLock.Lease lease, BackupManifest manifest, CancellationToken ct)
    {
        var migrations = await KnownMigrationsAsync(ct);
        if (!migrations.Contains(manifest.SchemaVersion))
            throw new BackupRefusedException(
                $"Backup {manifest.Id} has schema version {Shown(manifest.SchemaVersion)}, which this release does not know (newest: {migrations[^1]}). Bootstrap with a newer release.", []);
        await RefuseUnlessVerifiedAsync(manifest, ct);
        try
        {
            await ReplaceAsync(lease, manifest, endSessions: false, ct);
            var (audited, files) = await CheckRestoredAsync(manifest, ct);
            return new Result(manifest, null, audited, files);
        }
        catch
        {
            // The database was empty; it is made empty again, so that the next start (or `bootstrap`) tries again
            // instead of finding tables, taking the half-finished restore for a working database and serving it.
            await EmptyAsync(lease, CancellationToken.None);
            throw;
        }
    }

    private static async Task EmptyAsync(BackupLock.Lease lease, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public", lease.Connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>True when the database has no tables of its own: a new environment.</summary>
    public async Task<bool> DatabaseIsEmptyAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var tables = await BackupCreator.ScalarAsync(connection, null,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')", ct);
        return tables is 0L;
    }

    private async Task RefuseUnlessVerifiedAsync(BackupManifest manifest, CancellationToken ct)
    {
        var check = await verifier.VerifyAsync(manifest, ct);
        if (!check.Ok)
            throw new BackupRefusedException(
                $"Backup {manifest.Id} does not verify, so it was not restored and nothing was touched: {string.Join("; ", check.Faults)}", check.Faults);
    }

    private async Task ReplaceAsync(BackupLock.Lease lease, BackupManifest manifest, bool endSessions, CancellationToken ct)
    {
        // pg_restore reads a file it can seek in (a dump piped out of pg_dump has no offsets to seek by).
        var dumpPath = Path.Combine(Path.GetTempPath(), $"sts-restore-{manifest.Id}-{Guid.NewGuid():N}.pgc");
        try
        {
            await DownloadDumpAsync(manifest, dumpPath, ct);
            if (endSessions)
            {
                // Every other session of the database (other replicas' included) ends, so that the restore's DROPs do not
                // wait behind them and no replica carries on from state the restore replaces; they reconnect at once.
                await BackupCreator.ScalarAsync(lease.Connection, null, """
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                    """, ct);
            }
            await tools.RestoreAsync(dumpPath, ct);
        }
        finally
        {
            File.Delete(dumpPath);
        }
        // This replica's idle connections were ended above, and types may have new OIDs.
        dataSource.Clear();
        await using (var connection = await dataSource.OpenConnectionAsync(ct)) await connection.ReloadTypesAsync(ct);
        freezer.ForgetCached();

        foreach (var file in manifest.Files)
        {
            if (!await store.CopyAsync(StorageKey.ForBackupCopy(manifest.Id, file.Key), file.Key, ct))
                throw new BackupFailedException($"{file.Key} is missing from backup {manifest.Id}.");
        }
        // The anchor outside the database must match the restored chain, or verification would take the restore for
        // the removal of the newest records.
        if (manifest.AuditHead is { } head) await anchor.WriteAsync(new AuditAnchor.Head(head.Sequence, head.Hash, head.At), ct);
        else await store.DeleteAsync(StorageKey.AuditAnchor, ct);
    }

    private async Task DownloadDumpAsync(BackupManifest manifest, string path, CancellationToken ct)
    {
        await using (var source = await store.OpenReadAsync(StorageKey.ForBackup(manifest.Id, BackupManifest.DumpName), ct)
            ?? throw new BackupFailedException($"The dump of backup {manifest.Id} is missing."))
        await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous))
            await source.CopyToAsync(target, ct);
        // Hashed again here, from the local copy pg_restore reads: what is restored is what was verified.
        await using var local = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var (hash, length) = await StorageVerifier.HashAsync(local, gzipped: false, ct);
        if (hash != manifest.Dump.Sha256 || length != manifest.Dump.SizeBytes)
            throw new BackupFailedException($"The dump of backup {manifest.Id} changed after it was verified (SHA-256 {hash}, {length} bytes).");
    }

    private async Task<(long Audited, long Files)> CheckRestoredAsync(BackupManifest manifest, CancellationToken ct)
    {
        var audit = await auditLog.VerifyAsync(ct);
        if (!audit.Valid)
            throw new BackupFailedException($"After the restore the audit chain does not verify at record {audit.FirstBadSequence}: {audit.Reason}.");
        var faults = new List<string>();
        var files = await verifier.CheckFilesAsync(manifest.Files, f => f.Key, "in the store after the restore", faults, ct);
        if (faults.Count > 0) throw new BackupFailedException($"After the restore: {string.Join("; ", faults.Take(20))}.");
        return (audit.Checked, files);
    }

    private async Task<IReadOnlyList<string>> KnownMigrationsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return [.. db.Database.GetMigrations()];
    }

    private static string Shown(string schemaVersion) => schemaVersion.Length > 0 ? schemaVersion : "(none)";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restoring backup {BackupId} over the live database; rollback backup {RollbackId}")]
    private static partial void RestoreStarted(ILogger logger, string backupId, string rollbackId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restore of backup {BackupId} failed part-way; rollback backup {RollbackId}")]
    private static partial void RestoreFailed(ILogger logger, string backupId, string rollbackId, Exception exception);
}
