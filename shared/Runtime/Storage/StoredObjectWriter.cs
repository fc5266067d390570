using System.Security.Cryptography;

namespace Sts.Shared.Storage;

/// <summary>
/// An object being written to a store. Bytes written to <see cref="Stream"/> are counted and hashed on their way
/// through, so the store reports the SHA-256 of exactly what it stored without reading it back.
/// </summary>
public abstract class StoredObjectWriter : IAsyncDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly HashingStream _stream;
    private bool _committed;

    protected StoredObjectWriter(string key)
    {
        Key = key;
        _stream = new HashingStream(this);
    }

    public string Key { get; }

    /// <summary>Where the content goes. Write-only; prefer the asynchronous methods.</summary>
    public Stream Stream => _stream;

    public long BytesWritten { get; private set; }

    /// <summary>Makes the object visible under its key, replacing any previous one.</summary>
    public async Task<StoredFile> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        var file = new StoredFile(Key, BytesWritten, Convert.ToHexStringLower(_hash.GetHashAndReset()));
        await CommitCoreAsync(file, cancellationToken);
        _committed = true;
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed) await AbortAsync();
        _hash.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Makes what was written visible; <paramref name="file"/> has its size and SHA-256, for stores that keep them with the object.</summary>
    protected abstract Task CommitCoreAsync(StoredFile file, CancellationToken cancellationToken);

    /// <summary>Discards a write that was not committed; must not throw.</summary>
    protected abstract ValueTask AbortAsync();

    private sealed class HashingStream(StoredObjectWriter owner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => owner.BytesWritten;
        public override long Position { get => owner.BytesWritten; set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(owner._committed, owner);
            await owner.WriteCoreAsync(buffer, cancellationToken);
            owner._hash.AppendData(buffer.Span);
            owner.BytesWritten += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // A synchronous write would block a thread on a network store: callers (GZipStream included) must use the async methods.
        public override void Write(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("Write to a stored object asynchronously.");

        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
