using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Sts.Api.V1;
using Sts.Bench.Load;
using Sts.Chaos;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Auth;

namespace Sts.EndToEnd.Tests.Pipeline;

/// <summary>
/// A room at every limit snapshots end to end, in every type, with the API and the worker in processes of their own
/// whose GC heaps are capped: the API at 384 MiB (what .NET takes under a 512Mi container limit, half the manifest's),
/// the worker at 75 % of its 1536Mi manifest limit. bench/large-rooms.sh runs the long form.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class LimitRoomUnderHeapCapTests(ServicesFixture api) : IDisposable
{
    private const string ApiHeap = "0x18000000";    // 384 MiB
    private const string WorkerHeap = "0x48000000"; // 1152 MiB
    private readonly string _logs = Directory.CreateTempSubdirectory("sts-limit-room-").FullName;
    private readonly List<ServiceProcess> _processes = [];

    [Fact]
    public async Task A_room_at_every_limit_snapshots_in_every_type_under_capped_heaps()
    {
        var grpcPort = ServiceBuild.FreePort();
        var apiProcess = Start("api", "SnapshotApi", "Sts.SnapshotApi.dll", new()
        {
            ["DOTNET_GCHeapHardLimit"] = ApiHeap,
            ["ConnectionStrings__Postgres"] = api.ConnectionString,
            ["Auth__SigningKey"] = api.Tokens.SigningKey,
            ["Auth__Issuer"] = api.Tokens.Issuer,
            ["Auth__Audience"] = api.Tokens.Audience,
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{ServiceBuild.FreePort()}",
            ["Database__MigrateOnStartup"] = "false",
            ["RateLimits__Enabled"] = "false",
            ["Outbox__PollInterval"] = "00:00:00.200",
        });
        var worker = Start("worker", "PdfWorker", "Sts.PdfWorker.dll", new()
        {
            ["DOTNET_GCHeapHardLimit"] = WorkerHeap,
            ["RenderCache__DiskRoot"] = Path.Combine(_logs, "render-cache"),
            ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{ServiceBuild.FreePort()}",
            ["Worker__WorkerId"] = "heap-capped-worker",
        });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}",
            new GrpcChannelOptions { MaxReceiveMessageSize = 32 * 1024 * 1024, MaxSendMessageSize = 32 * 1024 * 1024 });
        await WaitReadyAsync(channel, apiProcess);
        var platform = api.WithToken(TokenMinter.Mint(api.Tokens, ApiFixture.PlatformEmail, null, [StsClaims.RoomsWriteScope], TimeSpan.FromMinutes(10)), channel);
        var admin = api.WithToken(TokenMinter.Mint(api.Tokens, ApiFixture.AdminEmail, StsClaims.AdminRole, [], TimeSpan.FromMinutes(10)), channel);

        var room = LimitRoom.Build(TestRooms.UniqueId("limit"), 1.0);
        await platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, deadline: DateTime.UtcNow.AddMinutes(2));
        var created = await Task.WhenAll(new[] { SnapshotType.Pdf, SnapshotType.Json, SnapshotType.Csv }.Select(async type =>
            (await admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = $"limit {type}", Type = type },
                deadline: DateTime.UtcNow.AddMinutes(1))).Snapshot));

        foreach (var snapshot in created)
        {
            var final = (await admin.WatchToEndAsync(snapshot.Id, TimeSpan.FromMinutes(4)))[^1];
            Assert.True(final.Status == SnapshotStatus.Completed, $"{snapshot.Type} ended {final.Status}: {final.Error}\n{worker.Tail(20)}");
            var (metadata, bytes) = await admin.DownloadAsync(snapshot.Id);
            Assert.Equal(metadata.Sha256, SnapshotWaiting.Sha256(bytes));
            Assert.Equal(final.SizeBytes, bytes.Length);
        }
        Assert.False(apiProcess.Exited, "the API process died");
        Assert.False(worker.Exited, "the worker process died");
        Assert.DoesNotContain("OutOfMemory", await File.ReadAllTextAsync(apiProcess.LogFile), StringComparison.Ordinal);
        Assert.DoesNotContain("OutOfMemory", await File.ReadAllTextAsync(worker.LogFile), StringComparison.Ordinal);
    }

    private ServiceProcess Start(string name, string project, string dll, Dictionary<string, string> environment)
    {
        var process = new ServiceProcess(name, ServiceBuild.Dll(project, dll), Path.Combine(_logs, $"{name}.log"));
        api.ConfigureProcess(process);
        process.Environment["Storage__Root"] = api.StorageRoot;
        foreach (var (key, value) in environment) process.Environment[key] = value;
        _processes.Add(process);
        process.Start();
        return process;
    }

    private static async Task WaitReadyAsync(GrpcChannel channel, ServiceProcess process)
    {
        var health = new Health.HealthClient(channel);
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            Assert.False(process.Exited, $"the API exited while starting:\n{process.Tail(30)}");
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
            }
            catch (RpcException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the heap-capped API to be ready");
    }

    public void Dispose()
    {
        foreach (var process in _processes) process.Dispose();
        try
        {
            Directory.Delete(_logs, recursive: true);
        }
        catch (IOException)
        {
            // A log still being written; the temporary folder is cleaned by the system.
        }
    }
}
