using System.Net.Http.Headers;
using System.Text;
using Testcontainers.RabbitMq;

namespace Sts.Tests.Support;

/// <summary>
/// A RabbitMQ virtual host of its own for one test run, so tests never share queues with a developer's
/// running services: in a Testcontainers container when a Docker engine answers, otherwise a fresh
/// vhost on the server that scripts/infra.sh started, made through its management API.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly RabbitMqContainer? _container;
    private readonly HttpClient? _management;
    private readonly string _vhost;

    private TestBroker(RabbitMqContainer? container, HttpClient? management, string vhost, string connectionString)
    {
        _container = container;
        _management = management;
        _vhost = vhost;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>The management API, for tests that look at queues; null under Testcontainers.</summary>
    public HttpClient? Management => _management;

    public string VirtualHost => _vhost;

    /// <summary>A queue's figure from the management API ("messages", "messages_ready", ...); null under Testcontainers or when the queue is not there.</summary>
    public async Task<long?> QueueFigureAsync(string queue, string figure = "messages")
    {
        if (_management is null) return null;
        using var response = await _management.GetAsync($"queues/{Uri.EscapeDataString(_vhost)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode) return null;
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty(figure, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetInt64() : null;
    }

    /// <summary>Messages ready in a queue, asked of the broker itself (a passive declare), so exact at once, unlike the management API's sampled figures.</summary>
    public async Task<uint> ReadyMessagesAsync(string queue)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    public static async Task<TestBroker> CreateAsync()
    {
        if (DockerEngine.Answers())
        {
            var container = new RabbitMqBuilder("rabbitmq:3.10-management").Build();
            await container.StartAsync();
            return new TestBroker(container, null, "/", container.GetConnectionString());
        }

        var user = Environment.GetEnvironmentVariable("STS_RABBIT_USER") ?? "sts";
        var password = Environment.GetEnvironmentVariable("STS_RABBIT_PASSWORD") ?? "sts";
        var host = Environment.GetEnvironmentVariable("STS_RABBIT_HOST") ?? "127.0.0.1";
        var port = Environment.GetEnvironmentVariable("STS_RABBIT_PORT") ?? "35672";
        var managementPort = Environment.GetEnvironmentVariable("STS_RABBIT_MANAGEMENT_PORT") ?? "15672";
        var vhost = $"sts-test-{Guid.NewGuid():N}";
        var management = new HttpClient { BaseAddress = new Uri($"http://{host}:{managementPort}/api/"), Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        try
        {
            (await management.PutAsync($"vhosts/{vhost}", null)).EnsureSuccessStatusCode();
            (await management.PutAsync($"permissions/{vhost}/{user}", new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }
        catch (HttpRequestException ex)
        {
            management.Dispose();
            throw new InvalidOperationException($"No RabbitMQ to test against ({ex.Message}). Start it with scripts/infra.sh up, or run scripts/test.sh.", ex);
        }
        return new TestBroker(null, management, vhost, $"amqp://{user}:{password}@{host}:{port}/{vhost}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null) await _container.DisposeAsync();
        if (_management is not null)
        {
            await _management.DeleteAsync($"vhosts/{_vhost}");
            _management.Dispose();
        }
    }
}
