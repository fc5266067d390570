using System.Data;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.Shared.Rooms;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rooms;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>
/// Freezes a room for a snapshot: streams it from PostgreSQL into its canonical JSON, hashing as it goes, and keeps the
/// result inline when small or writes it once to the snapshot store when large (RoomStateOptions). Nothing holds the
/// room whole, so the memory a create needs does not grow with the room.
/// </summary>
public sealed partial class RoomFreezer(ISnapshotStore store, IOptions<RoomStateOptions> options, ILogger<RoomFreezer> logger)
{
    private readonly FrozenRoomCache _cache = new(options.Value.CacheMaxBytes);

    /// <summary>
    /// The frozen room, or null when there is no such room. A claim-checked state is committed to storage before this
    /// returns; if the caller's transaction then fails, it must call <see cref="DiscardAsync"/> (housekeeping removes
    /// what a crash leaves behind).
    /// </summary>
    public async Task<FrozenRoom?> FreezeAsync(StsDbContext db, string roomId, Guid snapshotId, CancellationToken ct)
    {
        var current = await RoomStore.VersionAsync(db, roomId, ct);
        if (current is null) return null;
        if (_cache.Get(roomId, current.Value) is { } known) return known;

        await using var sink = new StateSink(store, StorageKey.ForState(roomId, snapshotId), options.Value.InlineMaxBytes);
        long? version;
        // Repeatable read: one consistent view of the room across its six queries, so a concurrent upsert cannot tear it.
        await using (var tx = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
        {
            version = await RoomStore.WriteFrozenAsync(db, roomId, new CanonicalRoomWriter(sink), ct);
            await tx.CommitAsync(ct);
        }
        if (version is not { } v) return null;
        var frozen = await sink.CompleteAsync(v, ct);
        _cache.Put(roomId, frozen);
        return frozen;
    }

    /// <summary>Forgets the cached states; a restore of the database calls it (<see cref="FrozenRoomCache.Clear"/>).</summary>
    public void ForgetCached() => _cache.Clear();

    /// <summary>Removes a claim-checked state whose snapshot was not committed. Never throws: a leftover is swept later.</summary>

    public async Task DiscardAsync(FrozenRoom frozen)
    {
        if (frozen.StateKey is not { } key) return;
        try
        {
            await store.DeleteAsync(key, CancellationToken.None);
        }
        catch (Exception ex)
        {
            DiscardFailed(logger, key, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Frozen state {StateKey} of an uncommitted snapshot could not be removed ({Error}); housekeeping will")]
    private static partial void DiscardFailed(ILogger logger, string stateKey, string error);

    /// <summary>Hashes what it is given and keeps it in memory up to the inline limit; past that, streams it gzipped to storage.</summary>
    private sealed class StateSink(ISnapshotStore store, string key, int inlineMaxBytes) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly MemoryStream _inline = new();
        private StoredObjectWriter? _writer;
        private GZipStream? _gzip;
        private long _bytes;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _hash.AppendData(buffer.Span);
            _bytes += buffer.Length;
            if (_gzip is null && _inline.Length + buffer.Length <= inlineMaxBytes)
            {
                _inline.Write(buffer.Span);
                return;
            }
            if (_gzip is null)
            {
                _writer = await store.OpenWriteAsync(key, cancellationToken);
                _gzip = new GZipStream(_writer.Stream, CompressionLevel.Fastest, leaveOpen: true);
                await _gzip.WriteAsync(_inline.GetBuffer().AsMemory(0, (int)_inline.Length), cancellationToken);
                _inline.SetLength(0);
                _inline.Capacity = 0;
            }
            await _gzip.WriteAsync(buffer, cancellationToken);
        }

        public async Task<FrozenRoom> CompleteAsync(long roomVersion, CancellationToken cancellationToken)
        {
            var hash = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (_gzip is null)
                return new FrozenRoom(roomVersion, hash, _bytes, Encoding.UTF8.GetString(_inline.GetBuffer(), 0, (int)_inline.Length), StateKey: null);
            await _gzip.DisposeAsync();
            _gzip = null;
            await _writer!.CommitAsync(cancellationToken);
            return new FrozenRoom(roomVersion, hash, _bytes, Inline: null, key);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_gzip is not null) await _gzip.DisposeAsync();
            if (_writer is not null) await _writer.DisposeAsync();
            _hash.Dispose();
            await _inline.DisposeAsync();
            await base.DisposeAsync();
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _bytes;
        public override long Position { get => _bytes; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Write the state asynchronously.");
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
