namespace Sts.Shared.Storage;

/// <summary>Where files go; bound from the "Storage" configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>"filesystem" (default); "s3" arrives with the S3-compatible store.</summary>
    public string Kind { get; set; } = "filesystem";

    /// <summary>Root folder of the filesystem store. Both services must see the same folder.</summary>
    public string Root { get; set; } = "data/snapshots";
}
