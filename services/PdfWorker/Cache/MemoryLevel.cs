using System.Diagnostics.CodeAnalysis;

namespace Sts.PdfWorker.Cache;

/// <summary>
/// The memory level: least recently used entries go first, bounded by the total of the content bytes.
/// Arrays are kept as handed in and handed out as kept, not copied.
/// </summary>
internal sealed class MemoryLevel(long maxBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _index = new(StringComparer.Ordinal);
    // Most recently used first.
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    public LevelSize Size
    {
        get
        {
            lock (_gate) return new LevelSize(_index.Count, _bytes);
        }
    }

    public bool TryGet(string key, DateTimeOffset now, [MaybeNullWhen(false)] out byte[] content)
    {
        lock (_gate)
        {
            if (!_index.TryGetValue(key, out var node))
            {
                content = null;
                return false;
            }
            node.Value.LastUse = now;
            _recency.Remove(node);
            _recency.AddFirst(node);
            content = node.Value.Content;
            return true;
        }
    }

    /// <summary>Stores the entry, replacing any under the same key; returns how many other entries were evicted to make room.</summary>
    public int Put(string key, byte[] content, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_index.Remove(key, out var old)) Drop(old);
            // Caching it would evict everything else and still break the bound.
            if (content.LongLength > maxBytes) return 0;

            var node = _recency.AddFirst(new Entry(key, content) { LastUse = now });
            _index.Add(key, node);
            _bytes += content.LongLength;

            // The new entry fits on its own, so the loop stops before it reaches the front.
            var evicted = 0;
            while (_bytes > maxBytes && _recency.Last is { } oldest)
            {
                _index.Remove(oldest.Value.Key);
                Drop(oldest);
                evicted++;
            }
            return evicted;
        }
    }

    /// <summary>When the entry was last used, or null when it is not held.</summary>
    public DateTimeOffset? LastUse(string key)
    {
        lock (_gate) return _index.TryGetValue(key, out var node) ? node.Value.LastUse : null;
    }

    private void Drop(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _bytes -= node.Value.Content.LongLength;
    }

    private sealed class Entry(string key, byte[] content)
    {
        public string Key { get; } = key;

        public byte[] Content { get; } = content;

        public DateTimeOffset LastUse { get; set; }
    }
}
