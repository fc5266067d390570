using System.Diagnostics;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.Bench.Load;

/// <summary>
/// S watchers of one snapshot, all attached while its worker is paused (SIGSTOP), then the worker resumes: how long
/// after the snapshot's complete_time each watcher hears COMPLETED, and what the API holds for S streams.
/// </summary>
public static class FanOut
{
    public static async Task<int> RunAsync(Args args)
    {
        var api = new Api(args.Text("--api", "http://127.0.0.1:5080"));
        var fixture = args.Text("--room-file") ?? throw new ArgumentException("--room-file is required");
        var watchers = args.Number("--watchers", 1000);
        var type = Enum.Parse<SnapshotType>(args.Text("--type", "Pdf"), ignoreCase: true);
        var groups = ProcessSampler.ParseGroups(args.Text("--pids"));
        args.CheckAllRead(1);
        var workers = groups.GetValueOrDefault("worker") ?? throw new ArgumentException("--pids must name the worker(s): worker=PID");

        using var _ = api;
        var room = await api.UpsertFixtureAsync(fixture, $"load-{Path.GetFileNameWithoutExtension(fixture)}");
        await using var sampler = new ProcessSampler(groups, TimeSpan.FromMilliseconds(100));
        Signal(workers, "STOP");
        Snapshot created;
        var attached = 0;
        var received = new DateTimeOffset?[watchers];
        Task[] streams;
        try
        {
            created = (await api.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "fan-out", Type = type })).Snapshot;
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var allAttached = new TaskCompletionSource();
            streams = Enumerable.Range(0, watchers).Select(i => WatchAsync(i)).ToArray();
            using (deadline.Token.Register(() => allAttached.TrySetCanceled()))
                await allAttached.Task;

            async Task WatchAsync(int i)
            {
                var first = true;
                try
                {
                    using var call = api.NextSnapshots().WatchSnapshot(new WatchSnapshotRequest { SnapshotId = created.Id }, cancellationToken: deadline.Token);
                    await foreach (var message in call.ResponseStream.ReadAllAsync(deadline.Token))
                    {
                        if (first && Interlocked.Increment(ref attached) == watchers) allAttached.TrySetResult();
                        first = false;
                        if (message.Snapshot.Status == SnapshotStatus.Completed) received[i] = DateTimeOffset.UtcNow;
                    }
                    api.Count("WatchSnapshot", StatusCode.OK);
                }
                catch (RpcException ex)
                {
                    // A watcher that fails counts as not having heard; one that never attached lets the others go on.
                    api.Count("WatchSnapshot", ex.StatusCode);
                    if (first && Interlocked.Increment(ref attached) == watchers) allAttached.TrySetResult();
                }
            }
        }
        finally
        {
            Signal(workers, "CONT");
        }
        await Task.WhenAll(streams);
        var final = (await api.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = created.Id })).Snapshot;
        var completedAt = final.CompleteTime.ToDateTimeOffset();
        var delays = new Latencies();
        foreach (var at in received.Where(r => r is not null)) delays.Add((at!.Value - completedAt).TotalMilliseconds);
        Console.WriteLine($"fan-out: {watchers} watchers attached; {delays.Count} heard COMPLETED; delay after complete_time: {delays.Summary()}");
        var (peak, _) = sampler.Memory("api");
        Console.WriteLine(FormattableString.Invariant($"  api resident memory with {watchers} streams: peak {peak >> 20} MiB"));
        api.PrintStatuses();
        Console.WriteLine(FormattableString.Invariant($"RESULT fan-out watchers={watchers} heard={delays.Count} p50={delays.Percentile(50):F2} p99={delays.Percentile(99):F2} max={delays.Percentile(100):F2} api_rss_mib={peak >> 20}"));
        return delays.Count == watchers ? 0 : 1;
    }

    private static void Signal(int[] pids, string signal)
    {
        foreach (var pid in pids)
        {
            using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }
}
