using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sts.Api.V1;
using Sts.Shared.Auth;
using Sts.Shared.Storage;
using Sts.SnapshotApi;
using Sts.SnapshotApi.Data;

namespace Sts.Tests.Support;

/// <summary>
/// SnapshotApi running in-process on a real Kestrel socket, against a throwaway PostgreSQL database, a RabbitMQ
/// virtual host of its own and a temporary storage folder (or, when <see cref="UsesS3"/>, a bucket of its own on the
/// S3 server scripts/infra.sh started). Tests that need more API replicas start them; the end-to-end tests
/// (tests/EndToEnd.Tests) add workers.
/// STS_TEST_QUEUE_TYPE=quorum runs every fixture with quorum queues (Bus:QueueType).
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public const string PlatformEmail = "platform@sts.test";
    public const string AdminEmail = "ops-admin@sts.test";

    private readonly List<WebApplication> _hosts = [];
    private readonly List<GrpcChannel> _channels = [];
    private TestDatabase? _database;
    private TestBroker? _broker;
    private TestBucket? _bucket;
    private GrpcChannel? _channel;

    /// <summary>A signing key made for this run; tokens from any other key must fail.</summary>
    public TokenSettings Tokens { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)) };

    public string StorageRoot { get; } = Path.Combine(Path.GetTempPath(), $"sts-test-storage-{Guid.NewGuid():N}");

    public Uri Address { get; private set; } = null!;

    public WebApplication Api { get; private set; } = null!;

    public IServiceProvider Services => Api.Services;

    public string ConnectionString => _database!.ConnectionString;

    public TestBroker Broker => _broker!;

    /// <summary>The bucket the services store in; null when they use the storage folder.</summary>
    public TestBucket? Bucket => _bucket;

    /// <summary>The store the services use, for tests that look at, alter or remove stored objects.</summary>
    public ISnapshotStore Store => Services.GetRequiredService<ISnapshotStore>();

    /// <summary>Queue type the fixture's services declare: STS_TEST_QUEUE_TYPE, else the services' default.</summary>
    public static string? QueueType => Environment.GetEnvironmentVariable("STS_TEST_QUEUE_TYPE") is { Length: > 0 } type ? type : null;

    protected virtual bool UsesS3 => false;

    /// <summary>Bus:QueueType for the fixture's services; null leaves the services' default.</summary>
    protected virtual string? QueueTypeSetting => QueueType;

    public virtual async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _broker = await TestBroker.CreateAsync();
        if (UsesS3) _bucket = await TestBucket.CreateAsync();
        Api = await StartApiAsync();
        await Api.Services.MigrateDatabaseAsync();
        Address = await AddressOfAsync(Api);
        _channel = Channel(Address);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var channel in _channels) channel.Dispose();
        foreach (var host in Enumerable.Reverse(_hosts)) await StopAsync(host);
        if (_broker is not null) await _broker.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        if (_bucket is not null) await _bucket.DisposeAsync();
        foreach (var dir in Directory.GetDirectories(Path.GetDirectoryName(StorageRoot)!, Path.GetFileName(StorageRoot) + "*"))
            Directory.Delete(dir, recursive: true);
    }

    // These stay async methods: building a host sets MassTransit's ambient (AsyncLocal) log context, which must not leak
    // into the caller, where a later host would find it holding a stopped host's disposed logger factory.

    /// <summary>Starts another API replica on the same database and broker, on <paramref name="clock"/> when given (else the system's).</summary>
    public async Task<WebApplication> StartApiAsync(IDictionary<string, string?>? overrides = null, TimeProvider? clock = null) =>
        await StartAsync(CreateApi(overrides, clock));

    /// <summary>
    /// An API replica on the same database and broker, built but not started (start-up failures are tested on it).
    /// Call it from an async method of its own, for the reason above.
    /// </summary>
    public WebApplication CreateApi(IDictionary<string, string?>? overrides = null, TimeProvider? clock = null)
    {
        var settings = CommonSettings();
        settings["ConnectionStrings:Postgres"] = _database!.ConnectionString;
        settings["Auth:SigningKey"] = Tokens.SigningKey;
        settings["Auth:Issuer"] = Tokens.Issuer;
        settings["Auth:Audience"] = Tokens.Audience;
        settings["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0";
        settings["Kestrel:Endpoints:Grpc:Protocols"] = "Http2";
        settings["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0";
        settings["Kestrel:Endpoints:Http:Protocols"] = "Http1";
        settings["Outbox:PollInterval"] = "00:00:00.200";
        // Reaper tests run passes themselves (RunOnceAsync); a background pass in between would race them.
        settings["Tasks:ReaperInterval"] = "01:00:00";
        // Tests call far faster than any real client; the limiter has its own test.
        settings["RateLimits:Enabled"] = "false";
        // Schedule tests start runner replicas on a clock they move; anywhere else a runner would fire schedules
        // that requests (the fuzzer's, say) happen to create.
        settings["Schedules:Enabled"] = "false";
        // Likewise backups: every fresh fixture would otherwise take one at start (none is due yet); backup tests call them.
        settings["Backup:ScheduleEnabled"] = "false";
        ConfigureApi(settings);
        return SnapshotApiHost.Create(["--contentRoot", ServiceFolder("SnapshotApi")], b =>
        {
            if (clock is not null) b.Services.AddSingleton(clock);
            Apply(b, settings, overrides);
        });
    }

    /// <summary>A fixture that runs the API differently (another identity provider, TLS) adds its settings here.</summary>
    protected virtual void ConfigureApi(IDictionary<string, string?> settings)
    {
    }

    /// <summary>A token for the given user that this fixture's API accepts.</summary>
    public virtual string Mint(string email, string? role, IEnumerable<string> scopes, TimeSpan lifetime) =>
        TokenMinter.Mint(Tokens, email, role, scopes, lifetime);

    /// <summary>Tokens this fixture's API must refuse beyond the generic forgeries the fuzzer makes itself, with a name for each.</summary>
    public virtual IReadOnlyList<(string Name, string Token)> Forgeries(int seed) => [];

    public async Task StopAsync(WebApplication host)
    {
        if (!_hosts.Remove(host)) return;
        await host.StopAsync();
        await host.DisposeAsync();
    }

    /// <summary>The gRPC (HTTP/2-only) address of an API host: the one that does not answer HTTP/1.1.</summary>
    public static async Task<Uri> AddressOfAsync(WebApplication host)
    {
        var http = await HttpAddressOfAsync(host);
        return AddressesOf(host).First(a => a != http);
    }

    /// <summary>The plain HTTP/1.1 address of a host, where /metrics (and, on the worker, /healthz) are served.</summary>
    public static async Task<Uri> HttpAddressOfAsync(WebApplication host)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var address in AddressesOf(host))
        {
            try
            {
                using var response = await client.GetAsync(new Uri(address, "/metrics"));
                if (response.IsSuccessStatusCode) return address;
            }
            catch (HttpRequestException)
            {
                // The HTTP/2-only gRPC endpoint refuses HTTP/1.1.
            }
        }
        throw new InvalidOperationException("No address of the host serves /metrics over HTTP/1.1.");
    }

    private static List<Uri> AddressesOf(WebApplication host) =>
        host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    /// <summary>Clients that call as the given user, with a token signed by this run's key.</summary>
    public ApiClient As(string email, string? role = null, params string[] scopes) =>
        WithToken(Mint(email, role, scopes, TimeSpan.FromMinutes(10)));

    /// <summary>The platform's service principal, which may write rooms.</summary>
    public ApiClient Platform => As(PlatformEmail, null, StsClaims.RoomsWriteScope);

    /// <summary>A platform admin, who may act on every room.</summary>
    public ApiClient Admin => As(AdminEmail, StsClaims.AdminRole);

    public ApiClient WithToken(string? token, GrpcChannel? channel = null)
    {
        channel ??= _channel!;
        var invoker = token is null
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return metadata;
            });
        return new ApiClient(invoker);
    }

    /// <summary>An admin client of a specific replica.</summary>
    public Task<ApiClient> AdminOfAsync(WebApplication replica) => ClientOfAsync(replica, AdminEmail, StsClaims.AdminRole);

    /// <summary>A client of a specific replica, calling as the given user.</summary>
    public async Task<ApiClient> ClientOfAsync(WebApplication replica, string email, string? role = null, params string[] scopes) =>
        WithToken(Mint(email, role, scopes, TimeSpan.FromMinutes(10)), Channel(await AddressOfAsync(replica)));

    public StsDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<StsDbContext>>().CreateDbContext();

    public Task<T?> ScalarAsync<T>(string sql, params object[] parameters) => _database!.ScalarAsync<T>(sql, parameters);

    public Task ExecuteAsync(string sql, params object[] parameters) => _database!.ExecuteAsync(sql, parameters);

    public Task WaitUntilRelayedAsync(Guid snapshotId) => _database!.WaitUntilRelayedAsync(snapshotId);

    /// <summary>How many hosts this fixture runs now (a worker names its id and cache folder after it).</summary>
    protected int HostCount => _hosts.Count;

    /// <summary>The settings every service of this fixture shares: broker, storage, log level, queue type.</summary>
    protected Dictionary<string, string?> CommonSettings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = _broker!.ConnectionString,
            ["Storage:Root"] = StorageRoot,
            // STS_TEST_LOG_LEVEL=Information shows what the hosts do, on the test run's console.
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("STS_TEST_LOG_LEVEL") ?? "Warning",
        };
        if (QueueTypeSetting is { } type) settings["Bus:QueueType"] = type;
        foreach (var (key, value) in _bucket?.Settings ?? []) settings[key] = value;
        return settings;
    }

    /// <summary>A channel to an address of this fixture's API (disposed with the fixture); by default with 32 MiB message limits.</summary>
    public GrpcChannel Channel(Uri address, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions { MaxReceiveMessageSize = 32 * 1024 * 1024, MaxSendMessageSize = 32 * 1024 * 1024 };
        ConfigureChannel(options);
        var channel = GrpcChannel.ForAddress(address, options);
        _channels.Add(channel);
        return channel;
    }

    /// <summary>Builds a host and starts it, which must fail with <typeparamref name="TException"/>; returns its message.</summary>
    public static async Task<string> StartupFailureAsync<TException>(Func<WebApplication> create) where TException : Exception
    {
        await using var host = create();
        return (await Assert.ThrowsAsync<TException>(() => host.StartAsync())).Message;
    }

    /// <summary>A fixture whose API needs more of its clients (TLS trust, a client certificate) sets it here.</summary>
    protected virtual void ConfigureChannel(GrpcChannelOptions options)
    {
    }

    protected async Task<WebApplication> StartAsync(WebApplication host)
    {
        try
        {
            await host.StartAsync();
        }
        catch
        {
            // A host that refused to start (a test of start-up checks) is not left for DisposeAsync to stop.
            await host.DisposeAsync();
            throw;
        }
        _hosts.Add(host);
        return host;
    }

    protected static void Apply(WebApplicationBuilder builder, Dictionary<string, string?> settings, IDictionary<string, string?>? overrides)
    {
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        builder.Configuration.AddInMemoryCollection(settings);
    }

    // Each service reads its own appsettings.json from its source folder, not whichever one was copied last into bin/.
    protected static string ServiceFolder(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "services", name);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"services/{name} not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>Typed clients sharing one identity.</summary>
public sealed class ApiClient(CallInvoker invoker)
{
    public RoomService.RoomServiceClient Rooms { get; } = new(invoker);
    public SnapshotService.SnapshotServiceClient Snapshots { get; } = new(invoker);
    public AuditService.AuditServiceClient Audit { get; } = new(invoker);
    public AdminService.AdminServiceClient Operations { get; } = new(invoker);
    public ScheduleService.ScheduleServiceClient Schedules { get; } = new(invoker);
}
