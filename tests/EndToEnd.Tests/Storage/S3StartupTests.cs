using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using Sts.Chaos;
using Sts.Shared.Hosting;

namespace Sts.EndToEnd.Tests.Storage;

/// <summary>
/// S3 settings that cannot work stop the API and the worker at start-up, each with a message that names what to fix,
/// rather than letting them come up and answer every request that touches storage with an error.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class S3StartupTests(ServicesFixture api) : IAsyncLifetime
{
    private readonly List<string> _logs = [];
    private TestBucket _bucket = null!;

    public async Task InitializeAsync() => _bucket = await TestBucket.CreateAsync();

    public async Task DisposeAsync()
    {
        await _bucket.DisposeAsync();
        foreach (var folder in _logs) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_missing_bucket_stops_both_services_at_start_up()
    {
        var settings = S3(bucket: "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);

        foreach (var message in await StartupFailuresAsync<StartupCheckException>(settings))
        {
            Assert.Contains("Storage:S3:Bucket 'no-such-bucket-", message, StringComparison.Ordinal);
            Assert.Contains("does not exist", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unreachable_endpoint_stops_both_services_within_the_start_up_timeout()
    {
        var settings = S3(endpoint: $"http://127.0.0.1:{ServiceBuild.FreePort()}");
        settings["Storage:S3:StartupTimeout"] = "00:00:05";
        var watch = Stopwatch.StartNew();

        foreach (var message in await StartupFailuresAsync<StartupCheckException>(settings))
        {
            Assert.Contains("Cannot reach the S3 endpoint http://127.0.0.1:", message, StringComparison.Ordinal);
            Assert.Contains("Storage:S3:ServiceUrl", message, StringComparison.Ordinal);
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed.TotalSeconds:F1} s for two services");
    }

    [Fact]
    public async Task Wrong_credentials_stop_both_services_at_start_up()
    {
        // s3rver knows one access key id (and, unlike S3, does not check v4 signatures), so the key id is what is wrong here.
        var settings = S3(accessKey: "NOT-A-KEY");

        foreach (var message in await StartupFailuresAsync<StartupCheckException>(settings))
        {
            Assert.Contains("refused the credentials", message, StringComparison.Ordinal);
            Assert.Contains("InvalidAccessKeyId", message, StringComparison.Ordinal);
            Assert.Contains("Storage:S3:AccessKey", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Settings_that_cannot_work_are_refused_by_name_before_anything_is_tried()
    {
        var unknownKind = new Dictionary<string, string?> { ["Storage:Kind"] = "nfs" };
        var noBucket = S3(bucket: "");
        var smallParts = S3();
        smallParts["Storage:S3:PartSizeBytes"] = "1048576";
        var halfCredentials = S3();
        halfCredentials["Storage:S3:SecretKey"] = "";

        Assert.All(await StartupFailuresAsync<OptionsValidationException>(unknownKind), m => Assert.Contains("Storage:Kind 'nfs' is not supported", m, StringComparison.Ordinal));
        Assert.All(await StartupFailuresAsync<OptionsValidationException>(noBucket), m => Assert.Contains("Storage:S3:Bucket must name a bucket", m, StringComparison.Ordinal));
        Assert.All(await StartupFailuresAsync<OptionsValidationException>(smallParts), m => Assert.Contains("Storage:S3:PartSizeBytes", m, StringComparison.Ordinal));
        Assert.All(await StartupFailuresAsync<OptionsValidationException>(halfCredentials), m => Assert.Contains("go together", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_process_with_a_missing_bucket_exits_with_code_1_and_one_clear_line()
    {
        using var worker = WorkerProcess(S3(bucket: "no-such-bucket"));

        worker.Start();
        await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(worker.Exited), TimeSpan.FromSeconds(90), "the worker to give up");

        Assert.Equal(ServiceRunner.ConfigurationError, worker.ExitedOnItsOwn);
        var log = await File.ReadAllTextAsync(worker.LogFile);
        Assert.Contains("Not started: Storage:S3:Bucket 'no-such-bucket' does not exist", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_come_from_the_aws_environment_variables_when_the_settings_have_none()
    {
        var settings = S3();
        settings.Remove("Storage:S3:AccessKey");
        settings.Remove("Storage:S3:SecretKey");
        using var refused = WorkerProcess(settings, ("AWS_ACCESS_KEY_ID", "NOT-A-KEY"), ("AWS_SECRET_ACCESS_KEY", "whatever"));
        var port = ServiceBuild.FreePort();
        using var accepted = WorkerProcess(settings, ("AWS_ACCESS_KEY_ID", TestBucket.AccessKey), ("AWS_SECRET_ACCESS_KEY", TestBucket.SecretKey),
            ("Kestrel__Endpoints__Http__Url", $"http://127.0.0.1:{port}"));

        refused.Start();
        accepted.Start();

        await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(refused.Exited), TimeSpan.FromSeconds(90), "the worker with a wrong key to give up");
        Assert.Equal(ServiceRunner.ConfigurationError, refused.ExitedOnItsOwn);
        Assert.Contains("InvalidAccessKeyId", await File.ReadAllTextAsync(refused.LogFile), StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            Assert.False(accepted.Exited, $"the worker with the right key exited:\n{accepted.Tail(20)}");
            try
            {
                return (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the worker with the right key to be ready");
    }

    /// <summary>A worker process (not started) with the settings, on the fixture's broker, logging into a temporary folder.</summary>
    private ServiceProcess WorkerProcess(Dictionary<string, string?> settings, params (string Name, string Value)[] environment)
    {
        var logs = Directory.CreateTempSubdirectory("sts-s3-startup-").FullName;
        _logs.Add(logs);
        var worker = new ServiceProcess("worker", ServiceBuild.Dll("PdfWorker", "Sts.PdfWorker.dll"), Path.Combine(logs, "worker.log"));
        foreach (var (key, value) in settings) worker.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        api.ConfigureProcess(worker);
        worker.Environment["Kestrel__Endpoints__Http__Url"] = "http://127.0.0.1:0";
        worker.Environment["RenderCache__DiskRoot"] = Path.Combine(logs, "cache");
        foreach (var (name, value) in environment) worker.Environment[name] = value;
        return worker;
    }

    /// <summary>Builds the API and a worker with the settings and starts each; returns the two failure messages.</summary>
    private async Task<List<string>> StartupFailuresAsync<TException>(Dictionary<string, string?> settings) where TException : Exception =>
    [
        await ApiFixture.StartupFailureAsync<TException>(() => api.CreateApi(settings)),
        await ApiFixture.StartupFailureAsync<TException>(() => api.CreateWorker(settings)),
    ];

    private Dictionary<string, string?> S3(string? bucket = null, string? endpoint = null, string? accessKey = null)
    {
        var settings = TestBucket.SettingsFor(bucket ?? _bucket.Name);
        if (endpoint is not null) settings["Storage:S3:ServiceUrl"] = endpoint;
        if (accessKey is not null) settings["Storage:S3:AccessKey"] = accessKey;
        return settings;
    }

}
