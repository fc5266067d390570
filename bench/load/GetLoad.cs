using System.Diagnostics;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.Bench.Load;

/// <summary>GetSnapshot of one snapshot in a closed loop with N callers.</summary>
public static class GetLoad
{
    public static async Task<int> RunAsync(Args args)
    {
        var api = new Api(args.Text("--api", "http://127.0.0.1:5080"));
        var fixture = args.Text("--room-file") ?? throw new ArgumentException("--room-file is required");
        var callers = args.Number("--callers", 8);
        var duration = args.Seconds("--seconds", 20);
        var groups = ProcessSampler.ParseGroups(args.Text("--pids"));
        args.CheckAllRead(1);

        using var _ = api;
        var room = await api.UpsertFixtureAsync(fixture, $"load-{Path.GetFileNameWithoutExtension(fixture)}");
        var id = (await api.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "get load", Type = SnapshotType.Csv })).Snapshot.Id;
        var request = new GetSnapshotRequest { SnapshotId = id };
        for (var i = 0; i < 200; i++) await api.NextSnapshots().GetSnapshotAsync(request);

        var latencies = new Latencies();
        long done = 0;
        await using var sampler = new ProcessSampler(groups, TimeSpan.FromMilliseconds(250));
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                var started = watch.Elapsed;
                try
                {
                    await api.CallAsync("GetSnapshot", async () => await api.NextSnapshots().GetSnapshotAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)));
                    Interlocked.Increment(ref done);
                }
                catch (RpcException)
                {
                    // Counted by status.
                }
                latencies.Add((watch.Elapsed - started).TotalMilliseconds);
            }
        }));
        Report.Print($"get {callers} callers", done, watch.Elapsed, latencies, sampler);
        api.PrintStatuses();
        return 0;
    }
}
