using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Sts.PdfWorker.Cache;

/// <summary>
/// The disk level: one file per entry at "{root}/ab/abcdef….bin", least recently used entries go first, bounded by
/// the total of the file sizes. The index of sizes and last uses lives in memory; it is rebuilt from the folder when
/// the level is created, with the files' last write times standing for their last use.
/// </summary>
/// <remarks>
/// File operations that change which entries exist (rename into place, delete) run under the lock together with the
/// index update, so the index always matches the folder. Writing a temporary file and reading an entry run outside it.
/// </remarks>
internal sealed class DiskLevel
{
    private const string EntryExtension = ".bin";
    private const string TempExtension = ".tmp";

    private readonly string _root;
    private readonly long _maxBytes;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    // A node stands for one file as written: a reader that finds the node replaced knows the file was too.
    private readonly Dictionary<string, LinkedListNode<Entry>> _index = new(StringComparer.Ordinal);
    // Most recently used first.
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    public DiskLevel(string root, long maxBytes, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ArgumentException("RenderCache:DiskRoot must name a folder.", nameof(root));
        _root = Path.GetFullPath(root);
        _maxBytes = maxBytes;
        _logger = logger;
        Directory.CreateDirectory(_root);

        var watch = Stopwatch.StartNew();
        var tempFiles = Index();
        logger.DiskIndexed(_root, _index.Count, _bytes, watch.ElapsedMilliseconds, tempFiles);
    }

    public LevelSize Size
    {
        get
        {
            lock (_gate) return new LevelSize(_index.Count, _bytes);
        }
    }

    /// <summary>Reads and verifies the entry. On false, <paramref name="corruption"/> says what was wrong with a corrupt entry, which is then deleted.</summary>
    public bool TryRead(string key, DateTimeOffset now, [MaybeNullWhen(false)] out byte[] content, out string? corruption)
    {
        content = null;
        corruption = null;
        LinkedListNode<Entry>? node;
        lock (_gate)
        {
            if (!_index.TryGetValue(key, out node)) return false;
        }

        var path = PathFor(key);
        try
        {
            // FileShare.Delete: eviction may delete the file while it is being read; the reader keeps what it opened.
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            content = CacheFile.Read(file, out corruption);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            Forget(node, deleteFile: false);
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.ReadFailed(key, ex);
            return false;
        }

        if (content is null)
        {
            Forget(node, deleteFile: true);
            return false;
        }
        lock (_gate)
        {
            if (IsCurrent(node)) MarkUsed(node, now);
        }
        return true;
    }

    /// <summary>Writes the entry atomically, replacing any under the same key; returns how many other entries were evicted to make room.</summary>
    public int Write(string key, byte[] content, DateTimeOffset now)
    {
        var size = CacheFile.HeaderSize + content.LongLength;
        if (size > _maxBytes)
        {
            // Too big to keep; an older entry under the key must not keep answering for it either.
            lock (_gate)
            {
                if (_index.TryGetValue(key, out var older)) Remove(older);
            }
            return 0;
        }

        var path = PathFor(key);
        // Same folder as the entry, so that the rename is atomic.
        var temp = $"{path}.{Guid.NewGuid():N}{TempExtension}";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var file = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                CacheFile.Write(file, content);
                File.SetLastWriteTimeUtc(file, now.UtcDateTime);
                // No fsync: a crash that leaves a torn entry under the real name is caught by its SHA-256 on read
                // (CacheFile.Read), which deletes it and counts a miss. Flushing would cost every miss for that.
            }
            lock (_gate)
            {
                File.Move(temp, path, overwrite: true);
                if (_index.Remove(key, out var old)) Drop(old);
                _index.Add(key, _recency.AddFirst(new Entry(key, size) { LastUse = now }));
                _bytes += size;
                // The new entry fits on its own, so eviction stops before it reaches the front.
                return EvictOverBound();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.WriteFailed(key, ex);
            TryDelete(temp);
            return 0;
        }
    }

    /// <summary>
    /// Removes entries last used before <paramref name="cutoff"/> and returns how many. An entry that
    /// <paramref name="lastUseElsewhere"/> (the memory level) has used since then is kept, and its last use brought forward.
    /// That callback runs under this level's lock, so it must not call back into this level.
    /// </summary>
    public int EvictOlderThan(DateTimeOffset cutoff, Func<string, DateTimeOffset?> lastUseElsewhere)
    {
        lock (_gate)
        {
            var evicted = 0;
            var node = _recency.Last;
            while (node is not null)
            {
                var newer = node.Previous;
                if (node.Value.LastUse < cutoff)
                {
                    if (lastUseElsewhere(node.Value.Key) is { } used && used >= cutoff)
                    {
                        MarkUsed(node, used);
                    }
                    else
                    {
                        Remove(node);
                        evicted++;
                    }
                }
                node = newer;
            }
            return evicted;
        }
    }

    /// <summary>Evicts least recently used entries until the level is within its bound, for a bound lowered since the last run.</summary>
    public int TrimToBound()
    {
        lock (_gate) return EvictOverBound();
    }

    /// <summary>Fills the index from the folder and deletes unfinished writes; returns how many of those there were.</summary>
    private int Index()
    {
        var tempFiles = 0;
        var found = new List<Entry>();
        foreach (var folder in new DirectoryInfo(_root).EnumerateDirectories())
        {
            if (folder.Name.Length != 2) continue;
            foreach (var file in folder.EnumerateFiles())
            {
                // Only files named for a key in that key's folder are ours; anything else is left alone.
                var name = file.Name;
                if (name.Length < CacheKey.Length || !name.StartsWith(folder.Name, StringComparison.Ordinal)) continue;
                var key = name[..CacheKey.Length];
                if (!CacheKey.IsValid(key)) continue;

                var suffix = name[CacheKey.Length..];
                if (suffix == EntryExtension)
                {
                    found.Add(new Entry(key, file.Length) { LastUse = new DateTimeOffset(file.LastWriteTimeUtc) });
                }
                else if (suffix.EndsWith(TempExtension, StringComparison.Ordinal))
                {
                    // Left by a process that stopped mid-write: never renamed into place, so never an entry.
                    TryDelete(file.FullName);
                    tempFiles++;
                }
            }
        }
        foreach (var entry in found.OrderByDescending(e => e.LastUse))
        {
            _index.Add(entry.Key, _recency.AddLast(entry));
            _bytes += entry.Size;
        }
        return tempFiles;
    }

    private string PathFor(string key) => Path.Combine(_root, key[..2], key + EntryExtension);

    private bool IsCurrent(LinkedListNode<Entry> node) => _index.TryGetValue(node.Value.Key, out var current) && current == node;

    private void MarkUsed(LinkedListNode<Entry> node, DateTimeOffset now)
    {
        node.Value.LastUse = now;
        _recency.Remove(node);
        _recency.AddFirst(node);
        // The file's time carries the last use across restarts. Losing it only makes the entry look older.
        try
        {
            File.SetLastWriteTimeUtc(PathFor(node.Value.Key), now.UtcDateTime);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.WriteFailed(node.Value.Key, ex);
        }
    }

    /// <summary>Drops the entry read through <paramref name="node"/>, unless a newer write has replaced it meanwhile.</summary>
    private void Forget(LinkedListNode<Entry> node, bool deleteFile)
    {
        lock (_gate)
        {
            if (!IsCurrent(node)) return;
            _index.Remove(node.Value.Key);
            Drop(node);
            if (deleteFile) TryDelete(PathFor(node.Value.Key));
        }
    }

    private int EvictOverBound()
    {
        var evicted = 0;
        while (_bytes > _maxBytes && _recency.Last is { } oldest)
        {
            Remove(oldest);
            evicted++;
        }
        return evicted;
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _index.Remove(node.Value.Key);
        Drop(node);
        TryDelete(PathFor(node.Value.Key));
    }

    private void Drop(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _bytes -= node.Value.Size;
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.DeleteFailed(path, ex);
        }
    }

    private sealed class Entry(string key, long size)
    {
        public string Key { get; } = key;

        public long Size { get; } = size;

        public DateTimeOffset LastUse { get; set; }
    }
}
