using Microsoft.AspNetCore.Builder;
using Sts.Chaos;
using Sts.PdfWorker;
using Sts.PdfWorker.Tests.Support;

namespace Sts.EndToEnd.Tests.Infrastructure;

/// <summary>
/// An <see cref="ApiFixture"/> that can also run PdfWorkers on the same broker and storage, signed with the test
/// certificate as in production. Tests that start a worker of their own (or check that one refuses to start) use it.
/// </summary>
public class ServicesFixture : ApiFixture
{
    /// <summary>Starts a PdfWorker on the same broker and storage.</summary>
    public async Task<WebApplication> StartWorkerAsync(IDictionary<string, string?>? overrides = null) => await StartAsync(CreateWorker(overrides));

    /// <summary>A PdfWorker on the same broker and storage, built but not started; call it as <see cref="ApiFixture.CreateApi"/>.</summary>
    public WebApplication CreateWorker(IDictionary<string, string?>? overrides = null)
    {
        var settings = CommonSettings();
        settings["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0";
        settings["Worker:WorkerId"] = $"test-worker-{HostCount}";
        settings["Worker:StatsInterval"] = "00:00:01";
        settings["RenderCache:DiskRoot"] = Path.Combine(StorageRoot, "..", $"{Path.GetFileName(StorageRoot)}-cache-{HostCount}");
        // Signed, as in production: a worker without a certificate does not start.
        foreach (var (key, value) in TestSigning.Settings) settings[key] = value;
        return PdfWorkerHost.Create(["--contentRoot", ServiceFolder("PdfWorker")], b => Apply(b, settings, overrides));
    }

    /// <summary>
    /// Points a service run as a process of its own at this fixture's broker, with the fixture's queue type and the
    /// test signing certificate (a worker does not start without one; the API ignores it).
    /// </summary>
    public void ConfigureProcess(ServiceProcess process)
    {
        process.Environment["ConnectionStrings__RabbitMq"] = Broker.ConnectionString;
        if (QueueTypeSetting is { } type) process.Environment["Bus__QueueType"] = type;
        process.Environment["Signing__CertificatePath"] = TestSigning.CertificatePath;
        process.Environment["Signing__CertificatePassword"] = TestSigning.Password;
    }
}

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

/// <summary>The API alone, ready to start workers: for tests that start their own or check one's start-up.</summary>
[CollectionDefinition(Name)]
public sealed class ServicesCollection : ICollectionFixture<ServicesFixture>
{
    public const string Name = "services";
}
