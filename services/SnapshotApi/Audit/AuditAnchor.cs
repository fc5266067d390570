using System.Text.Json;
using Sts.Shared.Storage;

namespace Sts.SnapshotApi.Audit;

/// <summary>
/// The sealed chain's head as last seen by the sealer, kept in the snapshot store (StorageKey.AuditAnchor) where
/// someone who can rewrite the database cannot: a chain that ends before its anchor has lost its newest records.
/// </summary>
public sealed class AuditAnchor(ISnapshotStore store)
{
    public sealed record Head(long Sequence, string Hash, DateTimeOffset At);

    public async Task WriteAsync(Head head, CancellationToken ct)
    {
        await using var writer = await store.OpenWriteAsync(StorageKey.AuditAnchor, ct);
        await JsonSerializer.SerializeAsync(writer.Stream, head, cancellationToken: ct);
        await writer.CommitAsync(ct);
    }

    /// <summary>
    /// The last anchor written, or null before the first. An anchor that does not parse is read once more (a store
    /// that does not replace objects atomically, such as s3rver, can show one half-written while the sealer writes it);
    /// if it still does not, <see cref="JsonException"/>: the caller reports it, it is not a server fault.
    /// </summary>
    public async Task<Head?> ReadAsync(CancellationToken ct)
    {
        try
        {
            return await ReadOnceAsync(ct);
        }
        catch (JsonException)
        {
            return await ReadOnceAsync(ct);
        }
    }

    private async Task<Head?> ReadOnceAsync(CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(StorageKey.AuditAnchor, ct);
        return stream is null ? null : await JsonSerializer.DeserializeAsync<Head>(stream, cancellationToken: ct);
    }
}
