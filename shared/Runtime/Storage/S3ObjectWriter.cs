using Amazon.S3;
using Amazon.S3.Model;

namespace Sts.Shared.Storage;

/// <summary>
/// One object being written to S3. Bytes collect in a part buffer; an object that never fills one goes up in a single
/// PUT on commit. Once a buffer is full, a multipart upload starts and each full part is sent while the next fills
/// (at most one part in flight, so a writer holds at most two parts). Commit completes the upload — the object appears
/// whole, atomically — and then copies it onto itself to attach its SHA-256 as metadata, which a multipart upload has
/// to declare before the content is known. Disposing without commit aborts the upload, so nothing becomes visible.
/// </summary>
internal sealed class S3ObjectWriter(S3Store store, string key, string objectKey) : StoredObjectWriter(key)
{
    private readonly List<PartETag> _parts = [];
    private MemoryStream _buffer = new();
    private string? _uploadId;
    private Task? _sending;

    protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var room = store.PartSizeBytes - (int)_buffer.Length;
            var take = Math.Min(room, buffer.Length);
            _buffer.Write(buffer.Span[..take]);
            buffer = buffer[take..];
            if (_buffer.Length == store.PartSizeBytes) await SendPartAsync(cancellationToken);
        }
    }

    protected override async Task CommitCoreAsync(StoredFile file, CancellationToken cancellationToken)
    {
        try
        {
            if (_uploadId is null)
            {
                _buffer.Position = 0;
                var put = new PutObjectRequest
                {
                    BucketName = store.Bucket, Key = objectKey, InputStream = _buffer, AutoCloseStream = false, UseChunkEncoding = false,
                };
                put.Metadata[S3Store.Sha256Metadata] = file.Sha256;
                await store.Client.PutObjectAsync(put, cancellationToken);
                return;
            }
            if (_buffer.Length > 0) await SendPartAsync(cancellationToken);
            await WaitForSendingAsync();
            await store.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = store.Bucket, Key = objectKey, UploadId = _uploadId, PartETags = _parts,
            }, cancellationToken);
            _uploadId = null;
            var copy = new CopyObjectRequest
            {
                SourceBucket = store.Bucket, SourceKey = objectKey, DestinationBucket = store.Bucket, DestinationKey = objectKey,
                MetadataDirective = S3MetadataDirective.REPLACE,
            };
            copy.Metadata[S3Store.Sha256Metadata] = file.Sha256;
            await store.Client.CopyObjectAsync(copy, cancellationToken);
        }
        catch (Exception ex) when (S3Store.IsStoreFault(ex, cancellationToken))
        {
            throw S3Store.Unavailable("write", Key, ex);
        }
    }

    protected override async ValueTask AbortAsync()
    {
        try
        {
            await WaitForSendingAsync();
        }
        catch (Exception ex) when (S3Store.IsStoreFault(ex, CancellationToken.None))
        {
            // The part is abandoned with the rest.
        }
        if (_uploadId is { } uploadId)
        {
            try
            {
                await store.Client.AbortMultipartUploadAsync(store.Bucket, objectKey, uploadId);
            }
            catch (Exception ex) when (S3Store.IsStoreFault(ex, CancellationToken.None))
            {
                S3Store.AbortFailed(store.Logger, uploadId, Key, ex.Message);
            }
        }
        await _buffer.DisposeAsync();
    }

    /// <summary>Sends the full buffer as the next part (starting the multipart upload first if need be) and starts a new buffer.</summary>
    private async Task SendPartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _uploadId ??= (await store.Client.InitiateMultipartUploadAsync(
                new InitiateMultipartUploadRequest { BucketName = store.Bucket, Key = objectKey }, cancellationToken)).UploadId;
            // One part in flight: wait for the previous one before this one goes.
            await WaitForSendingAsync();
        }
        catch (Exception ex) when (S3Store.IsStoreFault(ex, cancellationToken))
        {
            throw S3Store.Unavailable("write", Key, ex);
        }
        var part = _buffer;
        part.Position = 0;
        _buffer = new MemoryStream();
        var number = _parts.Count + 1;
        _parts.Add(new PartETag(number, ""));
        _sending = UploadAsync(part, number, cancellationToken);
    }

    private async Task UploadAsync(MemoryStream part, int number, CancellationToken cancellationToken)
    {
        await using (part)
        {
            var response = await store.Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = store.Bucket, Key = objectKey, UploadId = _uploadId, PartNumber = number, InputStream = part, UseChunkEncoding = false,
            }, cancellationToken);
            _parts[number - 1] = new PartETag(number, response.ETag);
        }
    }

    private async Task WaitForSendingAsync()
    {
        if (_sending is not { } sending) return;
        _sending = null;
        await sending;
    }
}
