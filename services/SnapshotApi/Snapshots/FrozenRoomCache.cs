namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Inline frozen states by (room, version), least recently used first out, bounded by bytes. Safe because a room's
/// version changes with every change to it: the same version is the same content, so a repeat create of an unchanged
/// room (a schedule, a retry, a burst) costs one small query instead of reading the whole room again.
/// </summary>
public sealed class FrozenRoomCache(long maxBytes)
{
    private readonly Dictionary<(string RoomId, long Version), LinkedListNode<(string RoomId, FrozenRoom Frozen)>> _entries = [];
    private readonly LinkedList<(string RoomId, FrozenRoom Frozen)> _order = new();
    private readonly Lock _gate = new();
    private long _bytes;

    /// <summary>
    /// Forgets everything: after a database restore a room's version may come round again with other content, and the
    /// premise above no longer holds for what was cached before it.
    /// </summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _order.Clear();
            _bytes = 0;
        }
    }

    public FrozenRoom? Get(string roomId, long version)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue((roomId, version), out var node)) return null;
            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Frozen;
        }
    }

    /// <summary>Keeps an inline state (claim-checked ones belong to one snapshot each and are never shared).</summary>
    public void Put(string roomId, FrozenRoom frozen)
    {
        if (frozen.Inline is null || frozen.Bytes > maxBytes) return;
        lock (_gate)
        {
            if (_entries.ContainsKey((roomId, frozen.RoomVersion))) return;
            _entries[(roomId, frozen.RoomVersion)] = _order.AddFirst((roomId, frozen));
            _bytes += frozen.Bytes;
            while (_bytes > maxBytes && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _bytes -= oldest.Value.Frozen.Bytes;
                _entries.Remove((oldest.Value.RoomId, oldest.Value.Frozen.RoomVersion));
            }
        }
    }
}
