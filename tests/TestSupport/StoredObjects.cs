using Sts.Shared.Storage;

namespace Sts.Tests.Support;

/// <summary>Looking at and tampering with stored objects through the store itself, so that a test holds for every kind of store.</summary>
public static class StoredObjects
{
    /// <summary>The object's bytes, or null when there is none.</summary>
    public static async Task<byte[]?> ReadAllAsync(this ISnapshotStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, CancellationToken.None);
        if (stream is null) return null;
        using var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    public static Task WriteAsync(this ISnapshotStore store, string key, byte[] bytes) =>
        store.WriteAsync(key, bytes.AsMemory(), CancellationToken.None);

    /// <summary>Rewrites the object with <paramref name="change"/> applied to its bytes (bit rot, or a writer that should not have).</summary>
    public static async Task AlterAsync(this ISnapshotStore store, string key, Action<byte[]> change)
    {
        var bytes = await store.ReadAllAsync(key) ?? throw new InvalidOperationException($"No object {key} to alter.");
        change(bytes);
        await store.WriteAsync(key, bytes);
    }

    /// <summary>Keys of the stored objects that start with <paramref name="prefix"/>.</summary>
    public static async Task<List<string>> KeysAsync(this ISnapshotStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var stored in store.ListAsync(CancellationToken.None))
        {
            if (stored.Key.StartsWith(prefix, StringComparison.Ordinal)) keys.Add(stored.Key);
        }
        return keys;
    }
}
