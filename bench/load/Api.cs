using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Sts.Api.V1;
using Sts.Shared.Auth;

namespace Sts.Bench.Load;

/// <summary>Clients of a running SnapshotApi, with development tokens minted from Auth__SigningKey, and a tally of every status answered.</summary>
public sealed class Api : IDisposable
{
    private readonly GrpcChannel _channel;

    public Api(string address)
    {
        var key = Environment.GetEnvironmentVariable("Auth__SigningKey")
            ?? throw new ArgumentException("Auth__SigningKey is not set (eval \"$(scripts/infra.sh env)\")");
        var settings = new TokenSettings { SigningKey = key };
        // A room at the size limit is 15 MiB in one message, both ways.
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 32 * 1024 * 1024, MaxSendMessageSize = 32 * 1024 * 1024 });
        var admin = Client(TokenMinter.Mint(settings, "load-admin@sts.local", StsClaims.AdminRole, [], TimeSpan.FromHours(12)));
        var platform = Client(TokenMinter.Mint(settings, "platform@sts.local", null, [StsClaims.RoomsWriteScope], TimeSpan.FromHours(12)));
        Rooms = new RoomService.RoomServiceClient(platform);
        Snapshots = new SnapshotService.SnapshotServiceClient(admin);
    }

    public RoomService.RoomServiceClient Rooms { get; }

    public SnapshotService.SnapshotServiceClient Snapshots { get; }

    /// <summary>"Method STATUS" -> count, for every call made through <see cref="CallAsync"/>.</summary>
    public ConcurrentDictionary<string, int> Statuses { get; } = new(StringComparer.Ordinal);

    /// <summary>Makes a call and counts its status; the exception still reaches the caller.</summary>
    public async Task<T> CallAsync<T>(string method, Func<Task<T>> call)
    {
        try
        {
            var result = await call();
            Statuses.AddOrUpdate($"{method} OK", 1, (_, n) => n + 1);
            return result;
        }
        catch (RpcException ex)
        {
            Statuses.AddOrUpdate($"{method} {ex.StatusCode}", 1, (_, n) => n + 1);
            throw;
        }
    }

    public void Dispose() => _channel.Dispose();

    private CallInvoker Client(string token) => _channel.Intercept(metadata =>
    {
        metadata.Add("authorization", $"Bearer {token}");
        return metadata;
    });
}
