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

/// <summary>The API alone, ready to start workers: for tests that start their own or check one's start-up.</summary>
[CollectionDefinition(Name)]
public sealed class ServicesCollection : ICollectionFixture<ServicesFixture>
{
    public const string Name = "services";
}
