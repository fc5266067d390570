using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Shared.Rooms;

namespace Sts.Bench.Load;

/// <summary>
/// Snapshots of rooms at the API's own limits (and at a fraction of them), every type in turn, a fixed number in
/// flight, while the services' resident memory is sampled: issue 9's "every one completes, nothing answers INTERNAL,
/// memory reaches a plateau".
/// </summary>
public static class LargeRooms
{
    public static async Task<int> RunAsync(Args args)
    {
        var address = args.Text("--api", "http://127.0.0.1:5080");
        var fractions = args.Text("--rooms", "1.0,0.4").Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var count = args.Number("--count", 200);
        var inFlight = args.Number("--in-flight", 8);
        var deadline = DateTime.UtcNow + args.Seconds("--max-seconds", 3600);
        var types = new[] { SnapshotType.Pdf, SnapshotType.Json, SnapshotType.Csv };
        var groups = ProcessSampler.ParseGroups(args.Text("--pids"));
        args.CheckAllRead(1);

        using var api = new Api(address);
        var failures = 0;
        foreach (var fraction in fractions)
        {
            var room = LimitRoom.Build($"limit-{fraction * 100:F0}", fraction);
            var json = RoomState.ToCanonicalJson(room).Length;
            Console.WriteLine(Invariant($"room {room.Id}: {room.Documents.Count} documents, {room.Activities.Count} activity entries, {room.Parties.Count} parties, {room.CalculateSize():N0} bytes as protobuf (limit {RoomLimits.Bytes:N0}), about {json:N0} characters of canonical JSON"));
            var upsert = Stopwatch.StartNew();
            await api.CallAsync("UpsertRoom", async () =>
                await api.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, deadline: DateTime.UtcNow.AddMinutes(5)));
            Console.WriteLine(Invariant($"  upserted in {upsert.Elapsed.TotalSeconds:F1} s"));

            await using var sampler = new ProcessSampler(groups, TimeSpan.FromMilliseconds(500));
            var outcomes = new List<Outcome>();
            var next = 0;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
            {
                while (DateTime.UtcNow < deadline)
                {
                    var i = Interlocked.Increment(ref next) - 1;
                    if (i >= count) return;
                    var outcome = await SnapshotAsync(api, room.Id, types[i % types.Length], i, deadline);
                    lock (outcomes) outcomes.Add(outcome);
                }
            }));
            var elapsed = watch.Elapsed;

            var completed = outcomes.Count(o => o.Status == SnapshotStatus.Completed);
            failures += count - completed;
            Console.WriteLine(Invariant($"  {count} snapshots, {inFlight} in flight: {completed} completed, {outcomes.Count(o => o.Status == SnapshotStatus.Failed)} failed, {count - outcomes.Count} not attempted within the time limit; {elapsed.TotalSeconds:F0} s"));
            foreach (var type in types)
            {
                var ofType = outcomes.Where(o => o.Type == type && o.Status == SnapshotStatus.Completed).ToList();
                if (ofType.Count == 0) continue;
                Console.WriteLine(Invariant($"    {type,-5} {ofType.Count,4} completed; create -> completed p50 {Percentile(ofType, 50):F1} s, max {ofType.Max(o => o.Seconds):F1} s; file {ofType.Average(o => o.SizeBytes) / 1e6:F1} MB"));
            }
            foreach (var failed in outcomes.Where(o => o.Status != SnapshotStatus.Completed).Take(5))
                Console.WriteLine($"    not completed: {failed.Type} {failed.Status} {failed.Error}");
            foreach (var group in sampler.Groups)
            {
                var (peak, quarters) = sampler.Memory(group);
                Console.WriteLine(Invariant($"  {group,-6} resident memory: peak {Mib(peak)} MiB; highest per quarter of the run {string.Join(" / ", quarters.Select(Mib))} MiB; CPU {sampler.CpuSecondsUsed(group):F0} s"));
            }
        }
        Console.WriteLine("statuses answered (every non-OK status is listed):");
        foreach (var (key, n) in api.Statuses.OrderBy(s => s.Key, StringComparer.Ordinal))
            Console.WriteLine(Invariant($"  {key,-40} {n}"));
        var internalErrors = api.Statuses.Where(s => s.Key.EndsWith(" Internal", StringComparison.Ordinal) || s.Key.EndsWith(" Unknown", StringComparison.Ordinal)).Sum(s => s.Value);
        Console.WriteLine(failures == 0 && internalErrors == 0
            ? "RESULT: every snapshot completed, no INTERNAL or UNKNOWN"
            : Invariant($"RESULT: {failures} snapshots did not complete, {internalErrors} INTERNAL or UNKNOWN answers"));
        return failures == 0 && internalErrors == 0 ? 0 : 1;
    }

    internal sealed record Outcome(SnapshotType Type, SnapshotStatus Status, double Seconds, long SizeBytes, string Error);

    /// <summary>Creates one snapshot (retrying what the API asks to be retried) and follows it to the end.</summary>
    internal static async Task<Outcome> SnapshotAsync(Api api, string roomId, SnapshotType type, int i, DateTime deadline)
    {
        var watch = Stopwatch.StartNew();
        var request = new CreateSnapshotRequest { RoomId = roomId, Title = $"Large-room run {i}", Type = type, RequestId = Guid.NewGuid().ToString("D") };
        Snapshot created;
        while (true)
        {
            try
            {
                created = (await api.CallAsync("CreateSnapshot", async () =>
                    await api.Snapshots.CreateSnapshotAsync(request, deadline: DateTime.UtcNow.AddMinutes(2)))).Snapshot;
                break;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(RetryDelay(ex));
            }
        }
        while (true)
        {
            try
            {
                using var call = api.Snapshots.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = created.Id }, deadline: deadline);
                Snapshot? last = null;
                await foreach (var message in call.ResponseStream.ReadAllAsync()) last = message.Snapshot;
                api.Count("WatchSnapshot", StatusCode.OK);
                return new Outcome(type, last?.Status ?? SnapshotStatus.Unspecified, watch.Elapsed.TotalSeconds, last?.SizeBytes ?? 0, last?.Error ?? "");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                api.Count("WatchSnapshot", StatusCode.Unavailable);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (RpcException ex)
            {
                api.Count("WatchSnapshot", ex.StatusCode);
                return new Outcome(type, SnapshotStatus.Unspecified, watch.Elapsed.TotalSeconds, 0, ex.Status.Detail);
            }
        }
    }

    private static TimeSpan RetryDelay(RpcException ex)
    {
        var retry = ex.GetRpcStatus()?.GetDetail<RetryInfo>();
        return retry is null ? TimeSpan.FromSeconds(1) : retry.RetryDelay.ToTimeSpan();
    }

    private static double Percentile(List<Outcome> values, double p)
    {
        var sorted = values.Select(v => v.Seconds).Order().ToArray();
        return sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
