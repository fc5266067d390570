using System.Runtime.InteropServices;

namespace Sts.Shared.Storage;

/// <summary>Objects under one root folder. Writes go to a temporary file that is flushed to disk and then renamed over the target.</summary>
public sealed partial class FileSystemStore : ISnapshotStore
{
    private const string TempSuffix = ".tmp";
    private readonly string _root;

    public FileSystemStore(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ArgumentException("Storage:Root must name a folder.", nameof(root));
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public Task<StoredObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return Task.FromResult<StoredObjectWriter>(new FileWriter(key, path));
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

    public async IAsyncEnumerable<StoredObject> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var prefix in StorageKey.Prefixes)
        {
            await foreach (var stored in ListFolderAsync(prefix, cancellationToken)) yield return stored;
        }
    }

    public async IAsyncEnumerable<StoredObject> ListFolderAsync(string folder, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_root, folder);
        if (!Directory.Exists(directory)) yield break;
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Temporary files of writes in progress are not stored objects.
            if (path.EndsWith(TempSuffix, StringComparison.Ordinal)) continue;
            var info = new FileInfo(path);
            if (!info.Exists) continue; // deleted since the enumeration saw it
            yield return new StoredObject(
                Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/'), info.Length, info.LastWriteTimeUtc);
        }
        await Task.CompletedTask;
    }

    public Task<bool> CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken)
    {
        var source = PathFor(sourceKey);
        var target = PathFor(targetKey);
        if (!File.Exists(source)) return Task.FromResult(false);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = $"{target}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            // A link where the filesystem allows it (same volume, links supported); otherwise a copy made durable.
            if (OperatingSystem.IsWindows() || Link(source, temp) != 0)
            {
                File.Copy(source, temp);
                using var copied = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite);
                copied.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return Task.FromResult(true);
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);

    private string PathFor(string key)
    {
        if (!StorageKey.IsValid(key)) throw new ArgumentException($"'{key}' is not a valid storage key.", nameof(key));
        var path = Path.GetFullPath(Path.Combine(_root, key));
        // Belt and braces: the key pattern already forbids "..", but the root must never be escaped.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' resolves outside the storage root.", nameof(key));
        return path;
    }

    private sealed class FileWriter : StoredObjectWriter
    {
        private readonly string _path;
        private readonly string _temp;
        private readonly FileStream _file;

        public FileWriter(string key, string path) : base(key)
        {
            _path = path;
            _temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
            _file = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        }

        protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken) =>
            _file.WriteAsync(buffer, cancellationToken);

        protected override async Task CommitCoreAsync(StoredFile file, CancellationToken cancellationToken)
        {
            await _file.FlushAsync(cancellationToken);
            // Durable before it becomes visible: a crash after the rename must not leave an empty or partial file.
            _file.Flush(flushToDisk: true);
            await _file.DisposeAsync();
            File.Move(_temp, _path, overwrite: true);
        }

        protected override async ValueTask AbortAsync()
        {
            await _file.DisposeAsync();
            try
            {
                File.Delete(_temp);
            }
            catch (IOException)
            {
                // Left behind; listings skip temporary files.
            }
        }
    }
}
