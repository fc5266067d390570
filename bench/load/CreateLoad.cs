using System.Diagnostics;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.Bench.Load;

/// <summary>
/// CreateSnapshot of one room, either in a closed loop (N callers, each sending its next request when the last is
/// answered) or in an open loop (requests sent at a fixed rate whatever happens, latency measured from each request's
/// intended send time, so that a server that falls behind cannot hide its queueing: no coordinated omission).
/// </summary>
public static class CreateLoad
{
    public static async Task<int> RunAsync(Args args)
    {
        var api = new Api(args.Text("--api", "http://127.0.0.1:5080"));
        var fixture = args.Text("--room-file") ?? throw new ArgumentException("--room-file is required");
        var callers = args.Number("--callers", 8);
        var rate = args.Real("--rate", 0);
        var duration = args.Seconds("--seconds", 20);
        var maxOps = args.Number("--max-ops", 1_000_000);
        var warmUp = args.Number("--warm-up", 200);
        var groups = ProcessSampler.ParseGroups(args.Text("--pids"));
        args.CheckAllRead(1);

        using var _ = api;
        var room = await api.UpsertFixtureAsync(fixture, $"load-{Path.GetFileNameWithoutExtension(fixture)}");
        var request = new CreateSnapshotRequest { RoomId = room.Id, Title = "load", Type = SnapshotType.Pdf };
        for (var i = 0; i < warmUp; i++) await api.NextSnapshots().CreateSnapshotAsync(request);

        var latencies = new Latencies();
        long done = 0;
        await using var sampler = new ProcessSampler(groups, TimeSpan.FromMilliseconds(250));
        var watch = Stopwatch.StartNew();
        if (rate > 0)
        {
            // Open loop: request i is due at i / rate; a late send still counts from when it was due. At most 1,000 are
            // in flight, so a server that falls far behind is measured, not buried.
            var outstanding = new List<Task>();
            using var inFlight = new SemaphoreSlim(1000);
            for (long i = 0; i < maxOps; i++)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                if (due > duration) break;
                var wait = due - watch.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
                await inFlight.WaitAsync();
                outstanding.Add(Task.Run(async () =>
                {
                    try
                    {
                        await OneAsync(due);
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                }));
            }
            await Task.WhenAll(outstanding);
        }
        else
        {
            await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
            {
                while (watch.Elapsed < duration && Interlocked.Read(ref done) < maxOps)
                    await OneAsync(watch.Elapsed);
            }));
        }
        var elapsed = watch.Elapsed;
        var replicas = api.Replicas > 1 ? $" {api.Replicas} replicas" : "";
        Report.Print((rate > 0 ? $"create open-loop {rate}/s" : $"create closed-loop {callers} callers") + replicas, done, elapsed, latencies, sampler);
        api.PrintStatuses();
        return 0;

        async Task OneAsync(TimeSpan intended)
        {
            try
            {
                await api.CallAsync("CreateSnapshot", async () => await api.NextSnapshots().CreateSnapshotAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)));
                Interlocked.Increment(ref done);
            }
            catch (RpcException)
            {
                // Counted by status; a failed call is not an operation done.
            }
            latencies.Add((watch.Elapsed - intended).TotalMilliseconds);
        }
    }
}
