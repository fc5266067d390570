using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Sts.Api.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>
/// An API replica in OIDC mode, trusting a <see cref="TestIssuer"/>, on the test fixture's database and broker:
/// what each test needs to see how tokens fare, how readiness reads, and what the audit log kept.
/// </summary>
public sealed class IssuerReplica : IAsyncDisposable
{
    private readonly ApiFixture _api;
    private readonly WebApplication _host;
    private readonly GrpcChannel _channel;
    private readonly Uri _http;

    private IssuerReplica(ApiFixture api, WebApplication host, GrpcChannel channel, Uri http)
    {
        _api = api;
        _host = host;
        _channel = channel;
        _http = http;
    }

    /// <summary>Starts a replica with the issuer's discovery settings, then <paramref name="settings"/> on top.</summary>
    public static async Task<IssuerReplica> StartAsync(ApiFixture api, TestIssuer issuer, IDictionary<string, string?>? settings = null)
    {
        var all = issuer.ApiSettings();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var host = await api.StartApiAsync(all);
        return new IssuerReplica(api, host, api.Channel(await ApiFixture.AddressOfAsync(host)), await ApiFixture.HttpAddressOfAsync(host));
    }

    public ApiClient With(string? token) => _api.WithToken(token, _channel);

    /// <summary>The status GetRoom gets with this token: OK, or the failure with its detail.</summary>
    public async Task<(StatusCode Code, string Detail)> GetRoomAsync(string? token, string roomId)
    {
        try
        {
            await With(token).Rooms.GetRoomAsync(new GetRoomRequest { RoomId = roomId }, deadline: DateTime.UtcNow.AddSeconds(30));
            return (StatusCode.OK, "");
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
    }

    /// <summary>grpc.health.v1 for the whole server ("": ready).</summary>
    public async Task<ServingStatus> HealthAsync() =>
        (await new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;

    /// <summary>GET /readyz on the plain HTTP port.</summary>
    public async Task<HttpStatusCode> ReadyzAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await client.GetAsync(new Uri(_http, "/readyz"));
        return response.StatusCode;
    }

    /// <summary>The Prometheus text on the plain HTTP port.</summary>
    public async Task<string> MetricsAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(new Uri(_http, "/metrics"));
    }

    public Task WaitUntilReadyAsync() =>
        SnapshotWaiting.EventuallyAsync(async () => await HealthAsync() == ServingStatus.Serving, TimeSpan.FromSeconds(60), "the replica to be ready");

    public async ValueTask DisposeAsync() => await _api.StopAsync(_host);
}
