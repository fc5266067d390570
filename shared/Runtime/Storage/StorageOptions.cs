namespace Sts.Shared.Storage;

/// <summary>Where files go; bound from the "Storage" configuration section and checked at start-up (<see cref="StorageOptionsValidator"/>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string FileSystem = "filesystem";
    public const string S3Kind = "s3";

    /// <summary>"filesystem" (default: one folder every replica mounts) or "s3" (S3-compatible object storage).</summary>
    public string Kind { get; set; } = FileSystem;

    /// <summary>Root folder of the filesystem store. Both services must see the same folder.</summary>
    public string Root { get; set; } = "data/snapshots";

    /// <summary>The S3-compatible store, when <see cref="Kind"/> is "s3".</summary>
    public S3StorageOptions S3 { get; set; } = new();

    public bool IsS3 => string.Equals(Kind, S3Kind, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// An S3-compatible bucket ("Storage:S3"). Credentials come from <see cref="AccessKey"/> and <see cref="SecretKey"/>
/// when both are set, otherwise from the AWS SDK's usual chain: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
/// AWS_SESSION_TOKEN, a profile, web identity (EKS service accounts) or the instance role.
/// </summary>
public sealed class S3StorageOptions
{
    /// <summary>The smallest part S3 accepts in a multipart upload, other than the last.</summary>
    public const int MinPartSizeBytes = 5 * 1024 * 1024;

    /// <summary>Endpoint of an S3-compatible server (MinIO, Ceph, ...), e.g. http://minio:9000; empty for AWS itself (then <see cref="Region"/> picks it).</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>Region to sign requests for; AWS_REGION when empty, and us-east-1 when that is empty too.</summary>
    public string Region { get; set; } = "";

    public string Bucket { get; set; } = "";

    /// <summary>Folder inside the bucket that keys go under (e.g. "sts/"), so that one bucket can hold several deployments.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Path-style addressing (http://host/bucket/key); most S3-compatible servers need it. Virtual-hosted style when false.</summary>
    public bool ForcePathStyle { get; set; } = true;

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>
    /// Objects up to this size go up in one PUT; larger ones in parts of this size, each sent while the next is being
    /// written. A writer holds at most two parts in memory. At least 5 MiB (S3's minimum part).
    /// </summary>
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How long one request may take (a whole part included) before it is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the start-up check may try to reach the bucket before the service refuses to start.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The prefix as keys use it: empty, or ending in one slash.</summary>
    public string NormalizedPrefix => Prefix.Trim('/') is { Length: > 0 } p ? p + "/" : "";
}
