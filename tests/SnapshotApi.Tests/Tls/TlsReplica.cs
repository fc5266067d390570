using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Tls;

/// <summary>An API replica whose gRPC port speaks TLS with a certificate from <see cref="TestPki"/>, on the fixture's database and broker.</summary>
public sealed class TlsReplica : IAsyncDisposable
{
    private readonly ApiFixture _api;

    private TlsReplica(ApiFixture api, WebApplication host, Uri address)
    {
        _api = api;
        Host = host;
        Address = address;
    }

    public WebApplication Host { get; }

    /// <summary>The https:// gRPC address.</summary>
    public Uri Address { get; }

    /// <summary>The settings that put the gRPC endpoint on TLS with the given files.</summary>
    public static Dictionary<string, string?> Settings((string Certificate, string Key) files, string? clientCaFile = null) => new()
    {
        ["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0",
        ["Tls:CertificateFile"] = files.Certificate,
        ["Tls:KeyFile"] = files.Key,
        ["Tls:ClientCaFile"] = clientCaFile ?? "",
    };

    public static async Task<TlsReplica> StartAsync(ApiFixture api, Dictionary<string, string?> settings)
    {
        var host = await api.StartApiAsync(settings);
        return new TlsReplica(api, host, await ApiFixture.AddressOfAsync(host));
    }

    /// <summary>A client that trusts <paramref name="pki"/>'s CA, presents <paramref name="clientCertificate"/> if given, and sends <paramref name="token"/> if given.</summary>
    public ApiClient Client(TestPki pki, X509Certificate2? clientCertificate = null, string? token = null) =>
        _api.WithToken(token, _api.Channel(Address, new GrpcChannelOptions { HttpHandler = pki.Handler(clientCertificate) }));

    /// <summary>The status GetRoom gets over such a client: OK, or the failure with its detail; "client-side: …" when the client made the status up (the call never reached the server).</summary>
    public static async Task<(StatusCode Code, string Detail)> GetRoomAsync(ApiClient client, string roomId)
    {
        try
        {
            await client.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = roomId }, deadline: DateTime.UtcNow.AddSeconds(30));
            return (StatusCode.OK, "");
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.DebugException is { } cause ? $"client-side: {ex.Status.Detail} [{cause.GetBaseException().Message}]" : ex.Status.Detail);
        }
    }

    public async ValueTask DisposeAsync() => await _api.StopAsync(Host);
}
