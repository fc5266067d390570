namespace Sts.Shared.Storage;

/// <summary>Where snapshot files live: the filesystem by default, S3-compatible storage later.</summary>
public interface ISnapshotStore
{
    /// <summary>Writes the whole file atomically (readers see the old file or the new one, never a part), replacing any file under the key.</summary>
    Task<StoredFile> WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Opens the file for reading, or returns null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes the file; true when there was one.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every stored key, for verification; files whose names are not valid keys are reported as they are.</summary>
    IAsyncEnumerable<string> ListKeysAsync(CancellationToken cancellationToken);
}

/// <summary>What was stored: where, how big, and its lower-case hex SHA-256.</summary>
public sealed record StoredFile(string Key, long SizeBytes, string Sha256);
