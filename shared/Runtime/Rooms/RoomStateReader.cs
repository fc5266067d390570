using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Sts.Api.V1;
using Sts.Shared.Storage;

namespace Sts.Shared.Rooms;

/// <summary>
/// Reads a frozen room state, inline or claim-checked in the snapshot store, and checks it against its content hash.
/// A claim-checked state is streamed (gunzip, hash, parse), so it is never held as text. The worker reads the states
/// its messages name; the API reads snapshots' states to compare them.
/// </summary>
public sealed class RoomStateReader(ISnapshotStore store)
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    /// <summary>The room; <see cref="UnreadableStateException"/> when the state is missing, corrupt or not a room (retrying will not help).</summary>
    public async Task<Room> ReadAsync(FrozenState state, CancellationToken ct)
    {
        if (state.Inline is { } inline)
        {
            if (RoomState.Sha256Hex(inline) != state.ContentHash)
                throw new UnreadableStateException("The frozen room state does not match its content hash; it was altered or damaged.");
            return Parse(new StringReader(inline));
        }
        if (state.StorageKey is not { } key)
            throw new UnreadableStateException("There is neither a frozen room state nor the key of one.");
        if (!StorageKey.IsState(key))
            throw new UnreadableStateException($"'{key}' is not the storage key of a frozen room state.");

        await using var stored = await store.OpenReadAsync(key, ct)
            ?? throw new UnreadableStateException($"The frozen room state {key} is missing from storage.");
        await using var gunzip = new GZipStream(stored, CompressionMode.Decompress);
        await using var hashing = new HashingReadStream(gunzip);
        try
        {
            using var text = new StreamReader(hashing, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
            var room = Parse(text);
            await hashing.DrainAsync(ct);
            if (hashing.Sha256Hex() != state.ContentHash)
                throw new UnreadableStateException($"The frozen room state {key} does not match its content hash; it was altered or damaged in storage.");
            return room;
        }
        catch (Exception ex) when (ex is InvalidDataException or DecoderFallbackException)
        {
            throw new UnreadableStateException($"The frozen room state {key} cannot be read: {ex.Message}");
        }
    }

    private static Room Parse(TextReader text)
    {
        try
        {
            return Parser.Parse<Room>(text);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new UnreadableStateException($"The frozen room state cannot be read: {ex.Message}");
        }
    }

    /// <summary>Hashes what is read through it.</summary>
    private sealed class HashingReadStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _hash.AppendData(buffer[..read]);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _hash.AppendData(buffer.Span[..read]);
            return read;
        }

        /// <summary>Reads whatever the parser left, so that the hash covers every byte.</summary>
        public async Task DrainAsync(CancellationToken ct)
        {
            var buffer = new byte[4096];
            while (await ReadAsync(buffer, ct) > 0) { }
        }

        public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The frozen room state cannot be had or trusted: a snapshot that needs it fails with this message.</summary>
public sealed class UnreadableStateException(string message) : Exception(message);
