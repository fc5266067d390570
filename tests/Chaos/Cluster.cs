using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Sts.Api.V1;

namespace Sts.Chaos;

/// <summary>One SnapshotApi replica: its process, its fixed ports (kept across restarts) and a channel to it.</summary>
public sealed class ApiReplica : IDisposable
{
    public ApiReplica(int index, ServiceProcess process, int grpcPort)
    {
        Index = index;
        Process = process;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
        Snapshots = new SnapshotService.SnapshotServiceClient(Channel);
        Rooms = new RoomService.RoomServiceClient(Channel);
        Audit = new AuditService.AuditServiceClient(Channel);
        Schedules = new ScheduleService.ScheduleServiceClient(Channel);
        Health = new Health.HealthClient(Channel);
    }

    public int Index { get; }
    public string Name => Process.Name;
    public ServiceProcess Process { get; }
    public GrpcChannel Channel { get; }
    public SnapshotService.SnapshotServiceClient Snapshots { get; }
    public RoomService.RoomServiceClient Rooms { get; }
    public AuditService.AuditServiceClient Audit { get; }
    public ScheduleService.ScheduleServiceClient Schedules { get; }
    public Health.HealthClient Health { get; }

    /// <summary>Creates are sent to replicas that are in service; a replica taken out for a phase gets none.</summary>
    public bool InService { get; set; } = true;

    /// <summary>Starts the process and waits until it reports ready; returns how long that took.</summary>
    public Task<TimeSpan> StartAsync(CancellationToken ct) => Cluster.StartReadyAsync(Process, ReadyAsync, ct);

    public async Task<bool> ReadyAsync(CancellationToken ct)
    {
        try
        {
            var reply = await Health.CheckAsync(new HealthCheckRequest { Service = "" }, deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: ct);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        Process.Dispose();
        Channel.Dispose();
    }
}

/// <summary>One PdfWorker: its process and its fixed health port.</summary>
public sealed class Worker(ServiceProcess process, int httpPort) : IDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public string Name => Process.Name;
    public ServiceProcess Process { get; } = process;

    /// <summary>Starts the process and waits until it reports ready; returns how long that took.</summary>
    public Task<TimeSpan> StartAsync(CancellationToken ct) => Cluster.StartReadyAsync(Process, ReadyAsync, ct);

    public async Task<bool> ReadyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/readyz"), ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => Process.Dispose();
}

/// <summary>The services under test, started from the repo's Release build against the run's sandbox.</summary>
public sealed class Cluster : IDisposable
{
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _apiDll;
    private readonly string _workerDll;

    public Cluster(ChaosOptions options, Sandbox sandbox)
    {
        _apiDll = Path.Combine(options.RepoRoot, "services", "SnapshotApi", "bin", "Release", "net10.0", "Sts.SnapshotApi.dll");
        _workerDll = Path.Combine(options.RepoRoot, "services", "PdfWorker", "bin", "Release", "net10.0", "Sts.PdfWorker.dll");
        for (var i = 0; i < options.ApiReplicas; i++)
        {
            var grpcPort = Sandbox.FreePort();
            var process = new ServiceProcess($"api-{i + 1}", _apiDll, Path.Combine(sandbox.LogDir, $"api-{i + 1}.log"));
            var env = process.Environment;
            env["ConnectionStrings__Postgres"] = sandbox.Postgres;
            env["ConnectionStrings__RabbitMq"] = sandbox.RabbitMq;
            env["Auth__SigningKey"] = sandbox.SigningKey;
            Configure(env, options, sandbox);
            env["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}";
            env["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{Sandbox.FreePort()}";
            env["Tasks__Lease"] = "00:00:15";
            env["Tasks__ReaperInterval"] = "00:00:02";
            env["RateLimits__Enabled"] = "false";
            env["Database__MigrateOnStartup"] = "true";
            // The run's schedule fires every 2 s on both replicas (polling each second, the default); a replica killed
            // holding it delays it 5 s at most.
            env["Schedules__MinInterval"] = "00:00:01";
            env["Schedules__Lease"] = "00:00:05";
            SetPollInterval(process, TimeSpan.FromMilliseconds(500));
            Apis.Add(new ApiReplica(i, process, grpcPort));
        }
        for (var i = 0; i < 2; i++)
        {
            var httpPort = Sandbox.FreePort();
            var process = new ServiceProcess($"worker-{i + 1}", _workerDll, Path.Combine(sandbox.LogDir, $"worker-{i + 1}.log"));
            var env = process.Environment;
            env["ConnectionStrings__RabbitMq"] = sandbox.RabbitMq;
            Configure(env, options, sandbox);
            env["RenderCache__DiskRoot"] = Path.Combine(sandbox.WorkDir, $"render-cache-{i + 1}");
            env["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{httpPort}";
            env["Worker__WorkerId"] = $"chaos-worker-{i + 1}";
            // PDFs are signed: the development certificate scripts/infra.sh makes (its `env` exports these).
            foreach (var name in new[] { "Signing__CertificatePath", "Signing__CertificatePassword" })
            {
                env[name] = Environment.GetEnvironmentVariable(name)
                    ?? throw new InvalidOperationException($"{name} is not set; run under scripts/chaos.sh, which takes it from scripts/infra.sh env.");
            }
            Workers.Add(new Worker(process, httpPort));
        }
    }

    public List<ApiReplica> Apis { get; } = [];
    public List<Worker> Workers { get; } = [];

    /// <summary>What both services share: where files go and the queue type.</summary>
    private static void Configure(Dictionary<string, string> env, ChaosOptions options, Sandbox sandbox)
    {
        foreach (var (key, value) in sandbox.StorageSettings) env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        env["Bus__QueueType"] = options.QueueType;
    }

    public static void SetPollInterval(ServiceProcess api, TimeSpan interval) =>
        api.Environment["Outbox__PollInterval"] = interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts the replicas one after another (the first applies the migrations), then the workers.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var api in Apis) await api.StartAsync(ct);
        foreach (var worker in Workers) worker.Process.Start();
        foreach (var worker in Workers) await WaitReadyAsync(worker.Process, worker.ReadyAsync, ct);
    }

    /// <summary>Waits until every running service reports ready again, after a broker or database fault.</summary>
    public async Task<TimeSpan> WaitAllReadyAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        foreach (var api in Apis.Where(a => !a.Process.Exited)) await WaitReadyAsync(api.Process, api.ReadyAsync, ct);
        foreach (var worker in Workers.Where(w => !w.Process.Exited)) await WaitReadyAsync(worker.Process, worker.ReadyAsync, ct);
        return watch.Elapsed;
    }

    /// <summary>Starts <paramref name="process"/> and waits until <paramref name="ready"/>; returns how long that took.</summary>
    internal static async Task<TimeSpan> StartReadyAsync(ServiceProcess process, Func<CancellationToken, Task<bool>> ready, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        process.Start();
        await WaitReadyAsync(process, ready, ct);
        return watch.Elapsed;
    }

    internal static async Task WaitReadyAsync(ServiceProcess process, Func<CancellationToken, Task<bool>> ready, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!await ready(ct))
        {
            if (process.Exited)
                throw new InvalidOperationException($"{process.Name} exited while starting; last lines of {process.LogFile}:\n{process.Tail(30)}");
            if (deadline.Elapsed > StartTimeout)
                throw new TimeoutException($"{process.Name} not ready after {StartTimeout.TotalSeconds:F0} s; last lines of {process.LogFile}:\n{process.Tail(30)}");
            await Task.Delay(250, ct);
        }
    }

    /// <summary>A replica that answers, for calls after the faults.</summary>
    public async Task<ApiReplica> AnyReadyApiAsync(CancellationToken ct)
    {
        foreach (var api in Apis.Where(a => !a.Process.Exited))
        {
            if (await api.ReadyAsync(ct)) return api;
        }
        var first = Apis[0];
        if (first.Process.Exited) await first.StartAsync(ct);
        else await WaitReadyAsync(first.Process, first.ReadyAsync, ct);
        return first;
    }

    public void Dispose()
    {
        foreach (var worker in Workers) worker.Dispose();
        foreach (var api in Apis) api.Dispose();
    }
}
