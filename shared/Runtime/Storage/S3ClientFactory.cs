using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Sts.Shared.Storage;

/// <summary>
/// The one place an S3 client is configured. AWSSDK.S3 v4 changed defaults that break S3-compatible servers, so they
/// are set back here: no CRC checksum on every request or response (RequestChecksumCalculation and
/// ResponseChecksumValidation WHEN_REQUIRED), and — per request, in <see cref="S3Store"/> — no aws-chunked bodies,
/// which servers that do not decode them store framing and all. We hash the content ourselves (SHA-256, kept in
/// PostgreSQL and as object metadata) and verify every download, so the SDK's checksums would add nothing.
/// </summary>
public static class S3ClientFactory
{
    public static AmazonS3Client Create(S3StorageOptions options, HttpClientFactory? httpClientFactory = null)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = options.RequestTimeout,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 3,
        };
        var region = options.Region is { Length: > 0 } configured ? configured
            : Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } fromEnvironment ? fromEnvironment
            : "us-east-1";
        if (options.ServiceUrl.Length > 0)
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        if (httpClientFactory is not null) config.HttpClientFactory = httpClientFactory;
        return options.AccessKey.Length > 0
            ? new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config)
            : new AmazonS3Client(config);
    }
}
