using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Sts.Shared.Storage;

namespace Sts.Chaos;

/// <summary>
/// What one run owns on the shared servers and on disk: a fresh database, a fresh RabbitMQ vhost, with --storage s3 a
/// fresh bucket, a work folder under /tmp (storage, render caches, logs) and a signing key. All of it goes at the end.
/// </summary>
public sealed class Sandbox : IDisposable
{
    private readonly ChaosOptions _options;
    private readonly HttpClient _management;
    private ISnapshotStore? _store;

    private Sandbox(ChaosOptions options, string id)
    {
        _options = options;
        Id = id;
        DatabaseName = $"sts_chaos_{id}";
        VirtualHost = $"sts-chaos-{id}";
        WorkDir = Path.Combine(Path.GetTempPath(), $"sts-chaos-{id}");
        StorageRoot = Path.Combine(WorkDir, "storage");
        LogDir = Path.Combine(WorkDir, "logs");
        SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        Bucket = $"sts-chaos-{id}";
        Postgres = new NpgsqlConnectionStringBuilder(options.AdminPostgres) { Database = DatabaseName, Pooling = true, Timeout = 5, CommandTimeout = 30 }.ConnectionString;
        RabbitMq = $"amqp://{Uri.EscapeDataString(options.RabbitUser)}:{Uri.EscapeDataString(options.RabbitPassword)}@{options.RabbitHost}:{options.RabbitPort}/{VirtualHost}";
        _management = new HttpClient
        {
            BaseAddress = new Uri($"http://{options.RabbitHost}:{options.RabbitManagementPort}/api/"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.RabbitUser}:{options.RabbitPassword}")));
    }

    public string Id { get; }
    public string DatabaseName { get; }
    public string VirtualHost { get; }
    public string WorkDir { get; }
    public string StorageRoot { get; }
    public string LogDir { get; }
    public string SigningKey { get; }
    /// <summary>The run's bucket, with --storage s3.</summary>
    public string Bucket { get; }
    /// <summary>Connection string of the run's own database.</summary>
    public string Postgres { get; }
    /// <summary>AMQP URI of the run's own vhost.</summary>
    public string RabbitMq { get; }

    public bool DatabaseCreated { get; private set; }
    public bool VirtualHostCreated { get; private set; }
    public bool BucketCreated { get; private set; }

    /// <summary>Settings (as configuration keys) that point a service at the run's storage.</summary>
    public Dictionary<string, string> StorageSettings => _options.UsesS3
        ? new()
        {
            ["Storage:Kind"] = "s3", ["Storage:S3:ServiceUrl"] = _options.S3Endpoint, ["Storage:S3:Bucket"] = Bucket,
            ["Storage:S3:AccessKey"] = _options.S3AccessKey, ["Storage:S3:SecretKey"] = _options.S3SecretKey,
        }
        : new() { ["Storage:Kind"] = "filesystem", ["Storage:Root"] = StorageRoot };

    /// <summary>The run's storage as the services see it, for the checker.</summary>
    public ISnapshotStore Store => _store ??= _options.UsesS3
        ? new S3Store(S3ClientFactory.Create(S3Options), S3Options, Microsoft.Extensions.Logging.Abstractions.NullLogger<S3Store>.Instance)
        : new FileSystemStore(StorageRoot);

    private S3StorageOptions S3Options => new()
    {
        ServiceUrl = _options.S3Endpoint, Bucket = Bucket, AccessKey = _options.S3AccessKey, SecretKey = _options.S3SecretKey,
    };

    public static Sandbox For(ChaosOptions options) =>
        new(options, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));

    public async Task CreateAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(StorageRoot);
        Directory.CreateDirectory(LogDir);

        await using (var connection = new NpgsqlConnection(_options.AdminPostgres))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(ct);
            DatabaseCreated = true;
        }

        var vhost = Uri.EscapeDataString(VirtualHost);
        (await _management.PutAsync($"vhosts/{vhost}", null, ct)).EnsureSuccessStatusCode();
        VirtualHostCreated = true;
        using var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await _management.PutAsync($"permissions/{vhost}/{Uri.EscapeDataString(_options.RabbitUser)}", permissions, ct)).EnsureSuccessStatusCode();

        if (_options.UsesS3)
        {
            using var s3 = S3ClientFactory.Create(S3Options);
            await s3.PutBucketAsync(Bucket, ct);
            BucketCreated = true;
        }
    }

    /// <summary>Messages the vhost's queue holds: ready and handed out but not acknowledged; null when the management API does not answer.</summary>
    public async Task<(long Ready, long Unacked)?> QueueDepthAsync(string queue, CancellationToken ct)
    {
        try
        {
            using var response = await _management.GetAsync($"queues/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(queue)}", ct);
            if (!response.IsSuccessStatusCode) return null;
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            long Read(string name) => json.RootElement.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;
            return (Read("messages_ready"), Read("messages_unacknowledged"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Drops the database and the vhost; the work folder goes too unless asked to keep it.</summary>
    public async Task<List<string>> DestroyAsync(bool keepFiles)
    {
        var problems = new List<string>();
        if (DatabaseCreated)
        {
            try
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(_options.AdminPostgres);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
                DatabaseCreated = false;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                problems.Add($"could not drop database {DatabaseName}: {ex.Message}");
            }
        }
        if (VirtualHostCreated)
        {
            try
            {
                using var response = await _management.DeleteAsync($"vhosts/{Uri.EscapeDataString(VirtualHost)}");
                if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound) VirtualHostCreated = false;
                else problems.Add($"could not delete vhost {VirtualHost}: HTTP {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                problems.Add($"could not delete vhost {VirtualHost}: {ex.Message}");
            }
        }
        if (BucketCreated && !keepFiles)
        {
            try
            {
                using var s3 = S3ClientFactory.Create(S3Options);
                await Buckets.RemoveAsync(s3, Bucket);
                BucketCreated = false;
            }
            catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
            {
                problems.Add($"could not remove bucket {Bucket}: {ex.Message}");
            }
        }
        if (!keepFiles)
        {
            try
            {
                Directory.Delete(WorkDir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"could not delete {WorkDir}: {ex.Message}");
            }
        }
        return problems;
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        _management.Dispose();
        (_store as IDisposable)?.Dispose();
    }
}
