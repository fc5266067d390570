using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Sts.Shared.Storage;

namespace Sts.Tests.Support;

/// <summary>
/// A bucket of its own for one fixture or test class, on the S3 server scripts/infra.sh started (s3rver on loopback:
/// STS_S3_ENDPOINT, or STS_S3_PORT on 127.0.0.1), emptied and removed at the end.
/// </summary>
public sealed class TestBucket : IAsyncDisposable
{
    private TestBucket(string name, IAmazonS3 client)
    {
        Name = name;
        Client = client;
    }

    public static string Endpoint =>
        Environment.GetEnvironmentVariable("STS_S3_ENDPOINT") is { Length: > 0 } endpoint ? endpoint
            : $"http://127.0.0.1:{Environment.GetEnvironmentVariable("STS_S3_PORT") ?? "9000"}";

    public static string AccessKey => Environment.GetEnvironmentVariable("STS_S3_ACCESS_KEY") ?? "S3RVER";

    public static string SecretKey => Environment.GetEnvironmentVariable("STS_S3_SECRET_KEY") ?? "S3RVER";

    public string Name { get; }

    /// <summary>A client of its own, for looking at objects as S3 holds them (raw bytes, metadata) and for altering them.</summary>
    public IAmazonS3 Client { get; }

    /// <summary>The folder inside the bucket the services' keys go under, so that the prefix is exercised too.</summary>
    public const string Prefix = "deployment-a/";

    /// <summary>Settings that point a service at this bucket.</summary>
    public Dictionary<string, string?> Settings => SettingsFor(Name);

    /// <summary>Settings that point a service at a bucket on the local S3 server.</summary>
    public static Dictionary<string, string?> SettingsFor(string bucket) => new()
    {
        ["Storage:Kind"] = "s3",
        ["Storage:S3:ServiceUrl"] = Endpoint,
        ["Storage:S3:Bucket"] = bucket,
        ["Storage:S3:Prefix"] = Prefix,
        ["Storage:S3:AccessKey"] = AccessKey,
        ["Storage:S3:SecretKey"] = SecretKey,
    };

    public static S3StorageOptions Options(string bucket, string prefix = Prefix) => new()
    {
        ServiceUrl = Endpoint, Bucket = bucket, Prefix = prefix, AccessKey = AccessKey, SecretKey = SecretKey,
    };

    public static async Task<TestBucket> CreateAsync()
    {
        var name = $"sts-test-{Guid.NewGuid():N}";
        var client = S3ClientFactory.Create(Options(name));
        try
        {
            await client.PutBucketAsync(name);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or AmazonClientException)
        {
            client.Dispose();
            throw new InvalidOperationException($"No S3 server to test against at {Endpoint} ({ex.Message}). Start it with scripts/infra.sh up, or run scripts/test.sh.", ex);
        }
        return new TestBucket(name, client);
    }

    /// <summary>The bytes S3 holds under a service's key, and the SHA-256 metadata stored with them; null when there is no object.</summary>
    public async Task<(byte[] Bytes, string? Sha256)?> GetAsync(string key)
    {
        try
        {
            using var response = await Client.GetObjectAsync(Name, Prefix + key);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes);
            return (bytes.ToArray(), response.Metadata[S3Store.Sha256Metadata]);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Writes bytes under a service's key behind the services' back, as a faulty or hostile writer would.</summary>
    public Task PutAsync(string key, byte[] bytes) =>
        Client.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = Prefix + key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false });

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Sts.Chaos.Buckets.RemoveAsync(Client, Name);
        }
        finally
        {
            Client.Dispose();
        }
    }
}
