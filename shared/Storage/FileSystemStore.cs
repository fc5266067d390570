using System.Security.Cryptography;

namespace Sts.Shared.Storage;

/// <summary>Snapshot files under one root folder. Writes go to a temporary file that is flushed to disk and then renamed over the target.</summary>
public sealed class FileSystemStore : ISnapshotStore
{
    private readonly string _root;

    public FileSystemStore(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ArgumentException("Storage:Root must name a folder.", nameof(root));
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public async Task<StoredFile> WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await file.WriteAsync(content, cancellationToken);
                // Durable before it becomes visible: a crash after the rename must not leave an empty or partial file.
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return new StoredFile(key, content.Length, Convert.ToHexStringLower(SHA256.HashData(content.Span)));
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        Stream? stream = File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan)
            : null;
        return Task.FromResult(stream);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    public async IAsyncEnumerable<string> ListKeysAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rooms = Path.Combine(_root, "rooms");
        if (!Directory.Exists(rooms)) yield break;
        foreach (var path in Directory.EnumerateFiles(rooms, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Temporary files of writes in progress are not stored objects.
            if (path.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            yield return Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
        }
        await Task.CompletedTask;
    }

    private string PathFor(string key)
    {
        if (!StorageKey.IsValid(key)) throw new ArgumentException($"'{key}' is not a valid storage key.", nameof(key));
        var path = Path.GetFullPath(Path.Combine(_root, key));
        // Belt and braces: the key pattern already forbids "..", but the root must never be escaped.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' resolves outside the storage root.", nameof(key));
        return path;
    }
}
