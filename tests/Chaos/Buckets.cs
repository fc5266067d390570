using Amazon.S3;
using Amazon.S3.Model;

namespace Sts.Chaos;

/// <summary>Buckets a run or a test makes for itself on the S3 server, and removes again.</summary>
public static class Buckets
{
    /// <summary>Deletes every object in the bucket, then the bucket.</summary>
    public static async Task RemoveAsync(IAmazonS3 client, string bucket)
    {
        var request = new ListObjectsV2Request { BucketName = bucket };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            foreach (var item in page.S3Objects ?? []) await client.DeleteObjectAsync(bucket, item.Key);
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        await client.DeleteBucketAsync(bucket);
    }
}
