using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Sts.Shared.Storage;

/// <summary>Refuses storage settings that cannot work, with the setting's name in the message, before the service starts.</summary>
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        if (string.Equals(options.Kind, StorageOptions.FileSystem, StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(options.Root)) errors.Add("Storage:Root must name a folder when Storage:Kind is 'filesystem'.");
        }
        else if (options.IsS3)
        {
            var s3 = options.S3;
            if (string.IsNullOrWhiteSpace(s3.Bucket))
                errors.Add("Storage:S3:Bucket must name a bucket when Storage:Kind is 's3'.");
            else if (!BucketName().IsMatch(s3.Bucket))
                errors.Add($"Storage:S3:Bucket '{s3.Bucket}' is not a valid bucket name (3-63 characters: lower-case letters, digits, dots and hyphens).");
            if (s3.ServiceUrl.Length > 0 && (!Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
                errors.Add($"Storage:S3:ServiceUrl '{s3.ServiceUrl}' must be an http:// or https:// URL (or empty for AWS S3 itself).");
            if (s3.Prefix.Length > 0 && !PrefixPattern().IsMatch(s3.Prefix))
                errors.Add($"Storage:S3:Prefix '{s3.Prefix}' may hold only letters, digits and . _ - / (and no '..').");
            if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
                errors.Add("Storage:S3:AccessKey and Storage:S3:SecretKey go together: set both, or neither to use the AWS environment variables or role.");
            if (s3.PartSizeBytes < S3StorageOptions.MinPartSizeBytes)
                errors.Add($"Storage:S3:PartSizeBytes is {s3.PartSizeBytes}; S3 needs parts of at least {S3StorageOptions.MinPartSizeBytes} bytes (5 MiB).");
            if (s3.RequestTimeout <= TimeSpan.Zero || s3.StartupTimeout <= TimeSpan.Zero)
                errors.Add("Storage:S3:RequestTimeout and Storage:S3:StartupTimeout must be positive.");
        }
        else
        {
            errors.Add($"Storage:Kind '{options.Kind}' is not supported; use 'filesystem' or 's3'.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\\z")]
    private static partial Regex BucketName();

    [GeneratedRegex("^(?!.*\\.\\.)[A-Za-z0-9._/-]{1,200}\\z")]
    private static partial Regex PrefixPattern();
}
