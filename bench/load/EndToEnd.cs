using System.Diagnostics;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.Bench.Load;

/// <summary>Create, then watch until COMPLETED, with N snapshots in flight: the whole pipeline's throughput and the service CPU each snapshot costs.</summary>
public static class EndToEnd
{
    public static async Task<int> RunAsync(Args args)
    {
        var api = new Api(args.Text("--api", "http://127.0.0.1:5080"));
        var fixture = args.Text("--room-file") ?? throw new ArgumentException("--room-file is required");
        var inFlight = args.Number("--in-flight", 64);
        var count = args.Number("--count", 1000);
        var duration = args.Seconds("--seconds", 120);
        var type = Enum.Parse<SnapshotType>(args.Text("--type", "Pdf"), ignoreCase: true);
        var groups = ProcessSampler.ParseGroups(args.Text("--pids"));
        args.CheckAllRead(1);

        using var _ = api;
        var room = await api.UpsertFixtureAsync(fixture, $"load-{Path.GetFileNameWithoutExtension(fixture)}");
        for (var i = 0; i < 20; i++) await OneAsync(api, room.Id, type, TimeSpan.FromMinutes(1));

        var latencies = new Latencies();
        long done = 0, started = 0, failed = 0;
        await using var sampler = new ProcessSampler(groups, TimeSpan.FromMilliseconds(250));
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (watch.Elapsed < duration && Interlocked.Increment(ref started) <= count)
            {
                var begun = watch.Elapsed;
                if (await OneAsync(api, room.Id, type, duration)) Interlocked.Increment(ref done);
                else Interlocked.Increment(ref failed);
                latencies.Add((watch.Elapsed - begun).TotalMilliseconds);
            }
        }));
        Report.Print($"end-to-end {type} {Path.GetFileNameWithoutExtension(fixture)} {inFlight} in flight", done, watch.Elapsed, latencies, sampler);
        if (failed > 0) Console.WriteLine($"  {failed} snapshots did not complete");
        api.PrintStatuses();
        return failed == 0 ? 0 : 1;
    }

    private static async Task<bool> OneAsync(Api api, string roomId, SnapshotType type, TimeSpan timeout)
    {
        var client = api.NextSnapshots();
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            var created = await api.CallAsync("CreateSnapshot", async () => (await client.CreateSnapshotAsync(
                new CreateSnapshotRequest { RoomId = roomId, Title = "end to end", Type = type }, deadline: deadline)).Snapshot);
            using var call = client.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = created.Id }, deadline: deadline);
            Snapshot? last = null;
            await foreach (var message in call.ResponseStream.ReadAllAsync()) last = message.Snapshot;
            api.Count("WatchSnapshot", StatusCode.OK);
            return last?.Status == SnapshotStatus.Completed;
        }
        catch (RpcException ex)
        {
            api.Count("WatchSnapshot", ex.StatusCode);
            return false;
        }
    }
}
