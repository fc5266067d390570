using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Sts.Api.V1;
using Sts.Shared.Auth;
using Sts.Shared.Rooms;

namespace Sts.Bench.Load;

/// <summary>
/// Clients of one or more running SnapshotApi replicas (comma-separated addresses, used in turn), with development
/// tokens minted from Auth__SigningKey, and a tally of every status answered.
/// </summary>
public sealed class Api : IDisposable
{
    private readonly List<GrpcChannel> _channels = [];
    private readonly List<SnapshotService.SnapshotServiceClient> _snapshots = [];
    private int _next;

    public Api(string addresses)
    {
        var key = Environment.GetEnvironmentVariable("Auth__SigningKey")
            ?? throw new ArgumentException("Auth__SigningKey is not set (eval \"$(scripts/infra.sh env)\")");
        var settings = new TokenSettings { SigningKey = key };
        var admin = TokenMinter.Mint(settings, "load-admin@sts.local", StsClaims.AdminRole, [], TimeSpan.FromHours(12));
        var platform = TokenMinter.Mint(settings, "platform@sts.local", null, [StsClaims.RoomsWriteScope], TimeSpan.FromHours(12));
        foreach (var address in addresses.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            // A room at the size limit is 15 MiB in one message, both ways.
            // More than one HTTP/2 connection when needed: a server allows 100 streams on each, and fan-out opens 1,000.
            var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 32 << 20,
                MaxSendMessageSize = 32 << 20,
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            });
            _channels.Add(channel);
            _snapshots.Add(new SnapshotService.SnapshotServiceClient(Client(channel, admin)));
        }
        Rooms = new RoomService.RoomServiceClient(Client(_channels[0], platform));
    }

    public RoomService.RoomServiceClient Rooms { get; }

    /// <summary>The first replica's client.</summary>
    public SnapshotService.SnapshotServiceClient Snapshots => _snapshots[0];

    public int Replicas => _snapshots.Count;

    /// <summary>The replicas in turn, so that load spreads over all of them.</summary>
    public SnapshotService.SnapshotServiceClient NextSnapshots() => _snapshots[(int)((uint)Interlocked.Increment(ref _next) % _snapshots.Count)];

    /// <summary>"Method STATUS" -> count, for every call made through <see cref="CallAsync"/>.</summary>
    public ConcurrentDictionary<string, int> Statuses { get; } = new(StringComparer.Ordinal);

    /// <summary>Makes a call and counts its status; the exception still reaches the caller.</summary>
    public async Task<T> CallAsync<T>(string method, Func<Task<T>> call)
    {
        try
        {
            var result = await call();
            Count(method, StatusCode.OK);
            return result;
        }
        catch (RpcException ex)
        {
            Count(method, ex.StatusCode);
            throw;
        }
    }

    public void Count(string method, StatusCode code) => Statuses.AddOrUpdate($"{method} {code}", 1, (_, n) => n + 1);

    /// <summary>Upserts a sample room file under the given id and returns the room.</summary>
    public async Task<Room> UpsertFixtureAsync(string path, string id)
    {
        var room = await RoomFile.LoadAsync(path);
        room.Id = id;
        await Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, deadline: DateTime.UtcNow.AddMinutes(1));
        return room;
    }

    public void PrintStatuses()
    {
        Console.WriteLine("  statuses: " + string.Join(", ", Statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}")));
    }

    public void Dispose()
    {
        foreach (var channel in _channels) channel.Dispose();
    }

    private static CallInvoker Client(GrpcChannel channel, string token) => channel.Intercept(metadata =>
    {
        metadata.Add("authorization", $"Bearer {token}");
        return metadata;
    });
}
