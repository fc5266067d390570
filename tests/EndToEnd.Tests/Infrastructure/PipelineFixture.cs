using Microsoft.AspNetCore.Builder;

namespace Sts.EndToEnd.Tests.Infrastructure;

/// <summary>A <see cref="ServicesFixture"/> with one PdfWorker running: the whole pipeline.</summary>
public class PipelineFixture : ServicesFixture
{
    public WebApplication Worker { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Worker = await StartWorkerAsync();
    }

    /// <summary>Starts the standard worker again after a test stopped or replaced it.</summary>
    public async Task RestartWorkerAsync()
    {
        await StopAsync(Worker);
        Worker = await StartWorkerAsync();
    }

    /// <summary>
    /// Runs <paramref name="test"/> with the standard worker replaced by one whose every storage write fails (a storage
    /// root where "rooms" is a file, as a broken volume would be), then puts the standard worker back.
    /// </summary>
    public async Task WithFailingStorageWorkerAsync(Func<Task> test)
    {
        var brokenRoot = Path.Combine(Path.GetTempPath(), $"sts-broken-{Guid.NewGuid():N}");
        Directory.CreateDirectory(brokenRoot);
        await File.WriteAllTextAsync(Path.Combine(brokenRoot, "rooms"), "not a folder");
        await StopAsync(Worker);
        var broken = await StartWorkerAsync(new Dictionary<string, string?> { ["Storage:Kind"] = "filesystem", ["Storage:Root"] = brokenRoot });
        try
        {
            await test();
        }
        finally
        {
            await StopAsync(broken);
            await RestartWorkerAsync();
            Directory.Delete(brokenRoot, recursive: true);
        }
    }
}

/// <summary>The whole pipeline storing in S3 (Storage:Kind=s3), in a bucket of its own on the local S3 server.</summary>
public sealed class S3PipelineFixture : PipelineFixture
{
    protected override bool UsesS3 => true;
}

/// <summary>The whole pipeline on quorum queues (Bus:QueueType=quorum), whatever STS_TEST_QUEUE_TYPE says.</summary>
public sealed class QuorumPipelineFixture : PipelineFixture
{
    protected override string? QueueTypeSetting => "quorum";
}


[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "pipeline";
}

[CollectionDefinition(Name)]
public sealed class S3PipelineCollection : ICollectionFixture<S3PipelineFixture>
{
    public const string Name = "s3-pipeline";
}

[CollectionDefinition(Name)]
public sealed class QuorumPipelineCollection : ICollectionFixture<QuorumPipelineFixture>
{
    public const string Name = "quorum-pipeline";
}

/// <summary>A pipeline of its own, for tests that count everything the system has done.</summary>
[CollectionDefinition(Name)]
public sealed class QuietPipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "quiet-pipeline";
}
