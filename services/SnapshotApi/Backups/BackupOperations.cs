using Microsoft.Extensions.Options;
using Npgsql;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// What the AdminService RPCs, the schedule and the bootstrap call: each operation under the deployment-wide lock,
/// counted in the metrics. Operations run on the host's lifetime, not the caller's: a client that goes away does not
/// cut a backup or a restore short.
/// </summary>
public sealed partial class BackupOperations(
    BackupLock backupLock, BackupCatalog catalog, BackupCreator creator, BackupVerifier verifier, BackupRestorer restorer,
    PostgresTools tools, NpgsqlDataSource dataSource, BackupMetrics metrics, IOptions<BackupOptions> options, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<BackupOperations> logger)
{
    public sealed record Created(BackupEntry Backup, IReadOnlyList<string> Deleted);

    /// <summary>Takes a backup, verifies it, and (when it verified) applies keep-last-N.</summary>
    public Task<Created> CreateAsync(string reason) => RunAsync("create", async () =>
    {
        var id = BackupCatalog.NewId(clock.GetUtcNow());
        await using var lease = await backupLock.AcquireAsync("create", id, Stopping);
        var manifest = await creator.CreateAsync(id, reason, Stopping);
        var check = await verifier.VerifyAsync(manifest, Stopping);
        if (!check.Ok) throw new BackupFailedException($"Backup {id} was taken but does not verify: {string.Join("; ", check.Faults)}");
        // Retention only after a good backup, so a run of failures never eats the backups that are left.
        var deleted = BackupRetentionPlan.ToDelete(await catalog.ListAsync(Stopping), options.Value.KeepLast);
        foreach (var old in deleted) await catalog.DeleteAsync(old, Stopping);
        if (deleted.Count > 0) RetentionDeleted(logger, deleted.Count, deleted);
        await RefreshAsync();
        return new Created(new BackupEntry(manifest, check), deleted);
    });

    /// <summary>Verifies a backup (the newest when <paramref name="id"/> is empty) and records the result.</summary>
    public Task<BackupEntry> VerifyAsync(string id) => RunAsync("verify", async () =>
    {
        var entry = await FindAsync(id);
        var check = await verifier.VerifyAsync(entry.Manifest, Stopping);
        await RefreshAsync();
        return entry with { Check = check };
    });

    public async Task<IReadOnlyList<BackupEntry>> ListAsync(CancellationToken ct)
    {
        var backups = await catalog.ListAsync(ct);
        metrics.Describe(backups);
        return backups;
    }

    /// <summary>Restores a backup over the live database (see <see cref="BackupRestorer.RestoreOverLiveAsync"/>).</summary>
    public Task<BackupRestorer.Result> RestoreAsync(string id) => RunAsync("restore", async () =>
    {
        var entry = await FindAsync(id);
        await using var lease = await backupLock.AcquireAsync("restore", id, Stopping);
        var result = await restorer.RestoreOverLiveAsync(lease, entry.Manifest, Stopping);
        await RefreshAsync();
        return result;
    });

    /// <summary>
    /// Bootstrap: when the database has no tables, restores the newest verified backup (or <paramref name="id"/>).
    /// Returns null when there was nothing to do (the database is not empty, or there is no verified backup).
    /// </summary>
    public async Task<BackupRestorer.Result?> RestoreIntoEmptyAsync(string? id, CancellationToken ct)
    {
        if (!await restorer.DatabaseIsEmptyAsync(ct))
        {
            if (id is not null) throw new BackupRefusedException("The database is not empty; restore over it with `sts admin backup restore <id>` instead.", []);
            return null;
        }
        var backups = await catalog.ListAsync(ct);
        var entry = id is not null
            ? backups.FirstOrDefault(b => b.Manifest.Id == id) ?? throw new BackupNotFoundException($"There is no backup {id} in storage.")
            : backups.FirstOrDefault(b => b.Verified);
        if (entry is null)
        {
            NothingToBootstrapFrom(logger, backups.Count);
            return null;
        }
        return await RunAsync("restore", async () =>
        {
            await using var lease = await backupLock.AcquireAsync("bootstrap", entry.Manifest.Id, ct);
            // Another replica may have bootstrapped while this one waited for the lock.
            if (!await restorer.DatabaseIsEmptyAsync(ct)) return null;
            var result = await restorer.RestoreIntoEmptyAsync(lease, entry.Manifest, ct);
            Bootstrapped(logger, entry.Manifest.Id, result.FilesRestored, result.AuditRecordsChecked);
            return result;
        });
    }

    public sealed record Status(
        IReadOnlyList<string> Faults, IReadOnlyList<BackupEntry> Backups, string ClientVersion, string ServerVersion, string? Running);

    /// <summary>What `sts admin backup info|check` show: the catalog, the tools, the lock, and each fault.</summary>
    public async Task<Status> StatusAsync(CancellationToken ct)
    {
        var faults = new List<string>();
        var backups = await ListAsync(ct);
        var settings = options.Value;
        var newestVerified = backups.FirstOrDefault(b => b.Verified);
        var now = clock.GetUtcNow();
        if (newestVerified is null) faults.Add(backups.Count == 0 ? "no backup exists" : "no backup has verified");
        else if (now - newestVerified.Manifest.CreatedAt > 2 * settings.Interval)
            faults.Add($"the newest verified backup ({newestVerified.Manifest.Id}) is older than two intervals ({2 * settings.Interval})");
        if (backups.Count > 0 && backups[0].Check is { Ok: false } failed)
            faults.Add($"the newest backup ({backups[0].Manifest.Id}) failed verification: {string.Join("; ", failed.Faults.Take(5))}");
        var client = await tools.ClientVersionAsync(ct);
        string server;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
            server = (string)(await BackupCreator.ScalarAsync(connection, null, "SHOW server_version", ct))!;
        var clientMajor = PostgresTools.MajorVersion(client);
        if (clientMajor != PostgresTools.MajorVersion(server))
            faults.Add($"pg_dump is not of the server's major version (client: {client}; server: {server})");
        return new Status(faults, backups, client, server, await backupLock.HolderAsync(ct));
    }

    public BackupOptions Settings => options.Value;

    private CancellationToken Stopping => lifetime.ApplicationStopping;

    private async Task<BackupEntry> FindAsync(string id)
    {
        if (id.Length == 0)
            return await catalog.ListAsync(Stopping) is [var newest, ..] ? newest : throw new BackupNotFoundException("There is no backup in storage yet.");
        return await catalog.FindAsync(id, Stopping) ?? throw new BackupNotFoundException($"There is no backup {id} in storage.");
    }

    private async Task RefreshAsync() => metrics.Describe(await catalog.ListAsync(Stopping));

    private async Task<T> RunAsync<T>(string operation, Func<Task<T>> run)
    {
        try
        {
            var result = await run();
            metrics.Ran(operation, "ok");
            return result;
        }
        catch (Exception ex)
        {
            metrics.Ran(operation, ex switch
            {
                BackupBusyException => "busy",
                BackupRefusedException or BackupNotFoundException => "refused",
                _ => "failed",
            });
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup retention deleted {Count} backups: {Ids}")]
    private static partial void RetentionDeleted(ILogger logger, int count, IReadOnlyList<string> ids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup:RestoreOnEmptyDatabase is on and the database is empty, but none of the {Count} backups in storage has verified: starting empty")]
    private static partial void NothingToBootstrapFrom(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrapped the empty database from backup {BackupId}: {Files} snapshot objects restored, audit chain verified ({Audited} records)")]
    private static partial void Bootstrapped(ILogger logger, string backupId, long files, long audited);
}
