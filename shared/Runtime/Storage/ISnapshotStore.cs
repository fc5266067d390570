namespace Sts.Shared.Storage;

/// <summary>Where snapshot files and claim-checked room states live: the filesystem by default, or S3-compatible object storage.</summary>
public interface ISnapshotStore
{
    /// <summary>
    /// Starts writing an object under <paramref name="key"/>. Nothing is visible until <see cref="StoredObjectWriter.CommitAsync"/>,
    /// which replaces any object under the key atomically (readers see the old one or the new one, never a part);
    /// disposing the writer without committing discards what was written.
    /// </summary>
    Task<StoredObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens the object for reading, or returns null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes the object; true when there was one.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every stored object, for verification and sweeping; objects whose names are not valid keys are listed as they are.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(CancellationToken cancellationToken);

    /// <summary>The objects under one top-level folder (such as <see cref="StorageKey.BackupPrefix"/>), which <see cref="ListAsync"/> does not cover.</summary>
    IAsyncEnumerable<StoredObject> ListFolderAsync(string folder, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a copy of the object under <paramref name="sourceKey"/> at <paramref name="targetKey"/>, atomically replacing
    /// any object there, without the bytes passing through this process where the store can help: a hard link on a
    /// filesystem (objects are only ever replaced by renames, never changed in place, so a link is as good as a copy),
    /// a server-side copy on S3. False when there is no source object.
    /// </summary>
    Task<bool> CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken);
}

/// <summary>What was stored: where, how big, and the lower-case hex SHA-256 of the stored bytes.</summary>
public sealed record StoredFile(string Key, long SizeBytes, string Sha256);

/// <summary>One object as a listing sees it.</summary>
public sealed record StoredObject(string Key, long SizeBytes, DateTimeOffset LastModified);

/// <summary>Writes that do not need streaming.</summary>
public static class SnapshotStoreExtensions
{
    /// <summary>Writes the whole object at once, atomically.</summary>
    public static async Task<StoredFile> WriteAsync(this ISnapshotStore store, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using var writer = await store.OpenWriteAsync(key, cancellationToken);
        await writer.Stream.WriteAsync(content, cancellationToken);
        return await writer.CommitAsync(cancellationToken);
    }
}
