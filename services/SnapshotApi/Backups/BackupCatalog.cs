using System.Security.Cryptography;
using System.Text.Json;
using Sts.Shared.Storage;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// The backups in storage, under "backups/{id}/": manifest.json (written last, so a backup without one is unfinished
/// and not listed), dump.pgc, verification.json, and files/{snapshot key} for each snapshot object.
/// </summary>
public sealed partial class BackupCatalog(ISnapshotStore store, ILogger<BackupCatalog> logger)
{
    private const string ManifestSuffix = "/" + BackupManifest.FileName;

    /// <summary>A new id: the time first, so ids sort as backups were taken, and a random tail.</summary>
    public static string NewId(DateTimeOffset now) =>
        $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public Task WriteManifestAsync(BackupManifest manifest, CancellationToken ct) =>
        WriteJsonAsync(StorageKey.ForBackup(manifest.Id, BackupManifest.FileName), manifest, ct);

    public Task WriteCheckAsync(string id, BackupCheck check, CancellationToken ct) =>
        WriteJsonAsync(StorageKey.ForBackup(id, BackupManifest.VerificationName), check, ct);

    /// <summary>The backup, or null when there is none with this id (or it never finished).</summary>
    public async Task<BackupEntry?> FindAsync(string id, CancellationToken ct)
    {
        var key = StorageKey.ForBackup(id, BackupManifest.FileName);
        var manifest = await ReadJsonAsync<BackupManifest>(key, ct);
        if (manifest is not null && manifest.Id != id)
        {
            // Everything after this uses manifest.Id for keys: a manifest that names another backup is not this one.
            Unreadable(logger, key, $"it names backup '{manifest.Id}'");
            return null;
        }
        return manifest is null ? null : new BackupEntry(manifest, await ReadJsonAsync<BackupCheck>(StorageKey.ForBackup(id, BackupManifest.VerificationName), ct));
    }

    /// <summary>Every finished backup, newest first.</summary>
    public async Task<IReadOnlyList<BackupEntry>> ListAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var stored in store.ListFolderAsync(StorageKey.BackupPrefix, ct))
        {
            if (!stored.Key.EndsWith(ManifestSuffix, StringComparison.Ordinal)) continue;
            var id = stored.Key[(StorageKey.BackupPrefix.Length + 1)..^ManifestSuffix.Length];
            if (StorageKey.IsBackupId(id)) ids.Add(id);
        }
        var entries = new List<BackupEntry>(ids.Count);
        foreach (var id in ids.OrderDescending(StringComparer.Ordinal))
        {
            if (await FindAsync(id, ct) is { } entry) entries.Add(entry);
        }
        return entries;
    }

    /// <summary>Removes every object of the backup, the manifest first so that a half-deleted backup is never listed.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        var manifestKey = StorageKey.ForBackup(id, BackupManifest.FileName);
        await store.DeleteAsync(manifestKey, ct);
        var keys = new List<string>();
        await foreach (var stored in store.ListFolderAsync($"{StorageKey.BackupPrefix}/{id}", ct)) keys.Add(stored.Key);
        foreach (var key in keys) await store.DeleteAsync(key, ct);
    }

    private async Task WriteJsonAsync<T>(string key, T value, CancellationToken ct)
    {
        await using var writer = await store.OpenWriteAsync(key, ct);
        await JsonSerializer.SerializeAsync(writer.Stream, value, BackupManifest.Json, ct);
        await writer.CommitAsync(ct);
    }

    /// <summary>
    /// The object as <typeparamref name="T"/>, or null when it is missing or does not parse (logged): one damaged
    /// manifest or verification result must not stop every listing, the schedule and the bootstrap with it. A backup
    /// whose manifest does not parse is not listed; one whose verification does not parse reads as not verified.
    /// </summary>
    private async Task<T?> ReadJsonAsync<T>(string key, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(key, ct);
        if (stream is null) return default;
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, BackupManifest.Json, ct);
        }
        catch (JsonException ex)
        {
            Unreadable(logger, key, ex.Message);
            return default;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup catalog object {Key} does not parse, and is left out: {Error}")]
    private static partial void Unreadable(ILogger logger, string key, string error);
}
