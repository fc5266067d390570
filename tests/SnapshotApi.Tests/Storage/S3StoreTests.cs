using System.Collections.Concurrent;
using System.Security.Cryptography;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Sts.Shared.Storage;

namespace Sts.SnapshotApi.Tests.Storage;

/// <summary>
/// The S3 store against a real S3-protocol server on loopback (s3rver, from scripts/infra.sh), over real sockets, with
/// every request the client sends recorded. Round trips are checked byte for byte and by hash against what S3 itself
/// holds, which is what catches a client that sends aws-chunked framing to a server that stores it as content.
/// </summary>
public sealed class S3StoreTests : IAsyncLifetime
{
    private readonly RecordingHttpClientFactory _http = new();
    private TestBucket _bucket = null!;
    private S3Store _store = null!;

    public async Task InitializeAsync()
    {
        _bucket = await TestBucket.CreateAsync();
        _store = StoreFor(TestBucket.Options(_bucket.Name));
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _bucket.DisposeAsync();
    }

    [Fact]
    public async Task A_small_object_round_trips_byte_for_byte_with_its_sha256_as_metadata()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var key = FileKey(".pdf");

        var stored = await _store.WriteAsync(key, content, CancellationToken.None);

        Assert.Equal(Sha256(content), stored.Sha256);
        Assert.Equal(content.Length, stored.SizeBytes);
        var (held, metadata) = (await _bucket.GetAsync(key))!.Value;
        Assert.Equal(content, held);
        Assert.Equal(stored.Sha256, metadata);
        Assert.Equal(content, await _store.ReadAllAsync(key));
        Assert.Single(_http.Requests, r => r.StartsWith("PUT ", StringComparison.Ordinal) && !r.Contains("uploadId", StringComparison.Ordinal));
        Assert.DoesNotContain(_http.Requests, r => r.Contains("uploads", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_object_of_more_than_20_MB_goes_up_in_parts_as_it_is_written_and_round_trips_byte_for_byte()
    {
        var content = RandomNumberGenerator.GetBytes(21 * 1024 * 1024 + 12_345);
        var key = $"states/room-s3/{Guid.NewGuid():D}.json.gz";

        await using var writer = await _store.OpenWriteAsync(key, CancellationToken.None);
        // Odd-sized writes, so that parts are cut across them.
        var partsWhileWriting = 0;
        for (var offset = 0; offset < content.Length; offset += 65_537)
        {
            await writer.Stream.WriteAsync(content.AsMemory(offset, Math.Min(65_537, content.Length - offset)));
            if (writer.BytesWritten >= 17 * 1024 * 1024 && partsWhileWriting == 0)
                partsWhileWriting = _http.Requests.Count(r => r.Contains("partNumber=", StringComparison.Ordinal));
        }
        Assert.True(partsWhileWriting >= 1, "no part was sent while the object was still being written");
        Assert.Null(await _store.OpenReadAsync(key, CancellationToken.None)); // nothing visible before the commit
        var stored = await writer.CommitAsync(CancellationToken.None);

        Assert.Equal(Sha256(content), stored.Sha256);
        Assert.Equal(content.LongLength, stored.SizeBytes);
        Assert.Equal(3, _http.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)));
        Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("?uploads", StringComparison.Ordinal));
        Assert.Single(_http.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("uploadId=", StringComparison.Ordinal));
        var (held, metadata) = (await _bucket.GetAsync(key))!.Value;
        Assert.Equal(content.Length, held.Length);
        Assert.True(content.AsSpan().SequenceEqual(held), "S3 holds other bytes than were written");
        Assert.Equal(stored.Sha256, metadata);
        Assert.Equal(stored.Sha256, Sha256((await _store.ReadAllAsync(key))!));
    }

    [Fact]
    public async Task A_write_disposed_without_commit_leaves_nothing_and_aborts_its_upload()
    {
        var large = FileKey(".pdf");
        var small = FileKey(".csv");
        await using (var writer = await _store.OpenWriteAsync(large, CancellationToken.None))
            await writer.Stream.WriteAsync(RandomNumberGenerator.GetBytes(12 * 1024 * 1024));
        await using (var writer = await _store.OpenWriteAsync(small, CancellationToken.None))
            await writer.Stream.WriteAsync(RandomNumberGenerator.GetBytes(1000));

        Assert.Null(await _store.OpenReadAsync(large, CancellationToken.None));
        Assert.Null(await _store.OpenReadAsync(small, CancellationToken.None));
        Assert.Empty(await _store.KeysAsync("rooms/"));
        var uploadId = _http.UploadIds.Single();
        Assert.Contains(_http.Requests, r => r.StartsWith("DELETE ", StringComparison.Ordinal) && r.Contains($"uploadId={uploadId}", StringComparison.Ordinal));
        // The small one never left the process: nothing was sent for it but the reads above.
        Assert.All(_http.Requests.Where(r => r.Contains(small, StringComparison.Ordinal)), r => Assert.StartsWith("GET ", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_write_replaces_the_object_whole()
    {
        var key = FileKey(".json");
        await _store.WriteAsync(key, RandomNumberGenerator.GetBytes(9 * 1024 * 1024), CancellationToken.None);
        var second = RandomNumberGenerator.GetBytes(777);

        var stored = await _store.WriteAsync(key, second, CancellationToken.None);

        Assert.Equal(second, await _store.ReadAllAsync(key));
        Assert.Equal(stored.Sha256, (await _bucket.GetAsync(key))!.Value.Sha256);
    }

    [Fact]
    public async Task Delete_says_whether_there_was_an_object_and_a_missing_one_reads_as_null()
    {
        var key = FileKey(".csv");
        await _store.WriteAsync(key, "a,b\n"u8.ToArray(), CancellationToken.None);

        Assert.True(await _store.DeleteAsync(key, CancellationToken.None));
        Assert.False(await _store.DeleteAsync(key, CancellationToken.None));
        Assert.Null(await _store.OpenReadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task Listing_gives_both_kinds_of_object_under_the_prefix_only_with_sizes_and_times()
    {
        var file = FileKey(".pdf");
        var state = $"states/room-s3/{Guid.NewGuid():D}.json.gz";
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        await _store.WriteAsync(file, new byte[10], CancellationToken.None);
        await _store.WriteAsync(state, new byte[20], CancellationToken.None);
        // Another deployment's objects in the same bucket, and something of ours outside our folders.
        using var other = StoreFor(TestBucket.Options(_bucket.Name, "deployment-b/"));
        await other.WriteAsync(FileKey(".pdf"), new byte[5], CancellationToken.None);
        await _bucket.PutAsync("notes/readme.txt", [1]);

        var listed = new List<StoredObject>();
        await foreach (var stored in _store.ListAsync(CancellationToken.None)) listed.Add(stored);

        Assert.Equal([file, state], listed.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.Equal(10, listed.Single(s => s.Key == file).SizeBytes);
        Assert.Equal(20, listed.Single(s => s.Key == state).SizeBytes);
        Assert.All(listed, s => Assert.InRange(s.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Listing_goes_on_past_a_page_of_a_thousand_keys()
    {
        var keys = Enumerable.Range(0, 1005).Select(_ => $"states/room-many/{Guid.NewGuid():D}.json.gz").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (key, ct) => await _store.WriteAsync(key, new byte[1], ct));

        var listed = await _store.KeysAsync("states/room-many/");

        Assert.Equal(keys.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_store_fails_every_operation_with_an_io_error_not_an_sdk_exception()
    {
        var options = TestBucket.Options(_bucket.Name);
        options.ServiceUrl = $"http://127.0.0.1:{ServiceBuild.FreePort()}";
        options.RequestTimeout = TimeSpan.FromSeconds(5);
        using var down = StoreFor(options);
        var key = FileKey(".pdf");

        var failures = new[]
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => down.WriteAsync(key, new byte[10], CancellationToken.None)),
            await Assert.ThrowsAsync<StorageUnavailableException>(() => down.OpenReadAsync(key, CancellationToken.None)),
            await Assert.ThrowsAsync<StorageUnavailableException>(() => down.DeleteAsync(key, CancellationToken.None)),
            await Assert.ThrowsAsync<StorageUnavailableException>(async () => { await foreach (var _ in down.ListAsync(CancellationToken.None)) { } }),
        };

        Assert.All(failures, f => Assert.IsAssignableFrom<IOException>(f));
        Assert.All(failures, f => Assert.Contains("S3 ", f.Message, StringComparison.Ordinal));
    }

    private S3Store StoreFor(S3StorageOptions options) =>
        new(S3ClientFactory.Create(options, _http), options, NullLogger<S3Store>.Instance);

    private static string FileKey(string extension) => StorageKey.For("room-s3", Guid.NewGuid(), extension);

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The SDK's HTTP client with every request noted ("METHOD path?query") and every multipart upload id it was given.</summary>
    private sealed class RecordingHttpClientFactory : HttpClientFactory
    {
        public ConcurrentQueue<string> Requests { get; } = new();
        public ConcurrentQueue<string> UploadIds { get; } = new();

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Recorder(this, new SocketsHttpHandler()));

        private sealed class Recorder(RecordingHttpClientFactory owner, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                owner.Requests.Enqueue($"{request.Method} {request.RequestUri?.PathAndQuery}");
                var response = await base.SendAsync(request, cancellationToken);
                if (request.Method == HttpMethod.Post && request.RequestUri?.Query.Contains("uploads", StringComparison.Ordinal) == true)
                {
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    var id = System.Text.RegularExpressions.Regex.Match(body, "<UploadId>([^<]+)</UploadId>").Groups[1].Value;
                    owner.UploadIds.Enqueue(id);
                    response.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/xml");
                }
                return response;
            }
        }
    }
}
