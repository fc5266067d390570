using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Sts.Shared.Hosting;

namespace Sts.Shared.Storage;

/// <summary>
/// Objects in an S3-compatible bucket, under an optional prefix. Small objects go up in one PUT when committed; larger
/// ones as a multipart upload whose parts are sent while the next is being written (<see cref="S3ObjectWriter"/>).
/// Every object carries its SHA-256 as metadata (x-amz-meta-sha256) besides the copy PostgreSQL keeps. Failures of the
/// store surface as <see cref="StorageUnavailableException"/>, never as SDK exceptions.
/// </summary>
public sealed partial class S3Store(IAmazonS3 client, S3StorageOptions options, ILogger<S3Store> logger) : ISnapshotStore, IDisposable
{
    /// <summary>Object metadata holding the lower-case hex SHA-256 of the content.</summary>
    public const string Sha256Metadata = "sha256";

    private readonly string _prefix = options.NormalizedPrefix;

    public string Bucket { get; } = options.Bucket;

    internal IAmazonS3 Client => client;

    internal int PartSizeBytes => options.PartSizeBytes;

    internal ILogger Logger => logger;

    public Task<StoredObjectWriter> OpenWriteAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<StoredObjectWriter>(new S3ObjectWriter(this, key, ObjectKey(key)));

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        GetObjectResponse response;
        try
        {
            response = await client.GetObjectAsync(Bucket, objectKey, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (Exception ex) when (IsStoreFault(ex, cancellationToken))
        {
            throw Unavailable("read", key, ex);
        }
        return new ResponseStream(response);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        try
        {
            // S3 answers a DELETE the same whether or not there was an object; ask first, so callers can count removals.
            try
            {
                await client.GetObjectMetadataAsync(Bucket, objectKey, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            await client.DeleteObjectAsync(Bucket, objectKey, cancellationToken);
            return true;
        }
        catch (Exception ex) when (IsStoreFault(ex, cancellationToken))
        {
            throw Unavailable("delete", key, ex);
        }
    }

    public async IAsyncEnumerable<StoredObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var folder in StorageKey.Prefixes)
        {
            await foreach (var stored in ListFolderAsync(folder, cancellationToken)) yield return stored;
        }
    }

    public async Task<bool> CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken)
    {
        var copy = new CopyObjectRequest
        {
            SourceBucket = Bucket, SourceKey = ObjectKey(sourceKey), DestinationBucket = Bucket, DestinationKey = ObjectKey(targetKey),
            MetadataDirective = S3MetadataDirective.COPY,
        };
        try
        {
            // One request copies up to 5 GiB inside the server; snapshot files are far smaller.
            await client.CopyObjectAsync(copy, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return false;
        }
        catch (Exception ex) when (IsStoreFault(ex, cancellationToken))
        {
            throw Unavailable("copy", sourceKey, ex);
        }
    }

    public async IAsyncEnumerable<StoredObject> ListFolderAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = $"{_prefix}{folder}/" };
        ListObjectsV2Response page;
        do
        {
            try
            {
                page = await client.ListObjectsV2Async(request, cancellationToken);
            }
            catch (Exception ex) when (IsStoreFault(ex, cancellationToken))
            {
                throw Unavailable("list", request.Prefix, ex);
            }
            // SDK v4 leaves empty collections and absent values null.
            foreach (var item in page.S3Objects ?? [])
            {
                yield return new StoredObject(
                    item.Key[_prefix.Length..], item.Size ?? 0,
                    item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue);
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    /// <summary>
    /// Proves at start-up that the bucket is there and the credentials are good, by listing one key under the prefix;
    /// throws <see cref="StartupCheckException"/> saying which setting to fix.
    /// </summary>
    public async Task CheckAccessAsync(CancellationToken cancellationToken)
    {
        var endpoint = options.ServiceUrl.Length > 0 ? options.ServiceUrl : $"AWS S3 ({client.Config.RegionEndpoint?.SystemName})";
        try
        {
            await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = _prefix, MaxKeys = 1 }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            throw new StartupCheckException($"Storage:S3:Bucket '{Bucket}' does not exist at {endpoint}. Create the bucket, or correct Storage:S3:Bucket.", ex);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new StartupCheckException(
                $"{endpoint} refused the credentials for bucket '{Bucket}' ({ex.ErrorCode}: {ex.Message}). Check Storage:S3:AccessKey and " +
                "Storage:S3:SecretKey (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), and that they may list, read, write and delete in the bucket.", ex);
        }
        catch (AmazonS3Exception ex)
        {
            throw new StartupCheckException($"{endpoint} answered {(int)ex.StatusCode} {ex.ErrorCode} for bucket '{Bucket}': {ex.Message}", ex);
        }
        catch (Exception ex) when (IsStoreFault(ex, cancellationToken) || ex is OperationCanceledException)
        {
            throw new StartupCheckException(
                $"Cannot reach the S3 endpoint {endpoint} within {options.StartupTimeout.TotalSeconds:F0} s ({Innermost(ex).Message}). " +
                "Check Storage:S3:ServiceUrl (and Storage:S3:Region) and that the server is up.", ex);
        }
    }

    public string ObjectKey(string key)
    {
        if (!StorageKey.IsValid(key)) throw new ArgumentException($"'{key}' is not a valid storage key.", nameof(key));
        return _prefix + key;
    }

    /// <summary>A failure of the store or the way to it, as opposed to cancellation by the caller or a bug here.</summary>
    internal static bool IsStoreFault(Exception ex, CancellationToken cancellationToken) =>
        ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested); // the SDK's own timeout

    internal static StorageUnavailableException Unavailable(string operation, string key, Exception ex)
    {
        var detail = ex is AmazonServiceException service && service.ErrorCode is { Length: > 0 } code
            ? $"{(int)service.StatusCode} {code}: {service.Message}"
            : Innermost(ex).Message;
        return new StorageUnavailableException($"S3 {operation} of {key} failed: {detail}", ex);
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Abandoned multipart upload {UploadId} of {Key} could not be aborted ({Error}); a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes its parts")]
    internal static partial void AbortFailed(ILogger logger, string uploadId, string key, string error);

    public void Dispose() => client.Dispose();

    /// <summary>The body of a GET; disposing it releases the response and its connection.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => _body.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _body.ReadAsync(buffer, offset, count, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing) response.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
