using System.Diagnostics;
using Sts.Api.V1;
using Sts.Shared.Rooms;

namespace Sts.Bench.Load;

/// <summary>
/// What one snapshot costs each part of the system: for every sample room and type, COUNT snapshots with IN_FLIGHT at
/// a time, and the CPU time the API, the worker, PostgreSQL, RabbitMQ and the S3 server used meanwhile (from /proc),
/// divided by the snapshots. CPU time rather than wall time, so that the figures hold on a busy machine; docs/scaling.md
/// multiplies them out.
/// </summary>
public static class Capacity
{
    public static async Task<int> RunAsync(Args args)
    {
        var address = args.Text("--api", "http://127.0.0.1:5080");
        var fixtures = args.Text("--fixtures", "../shared/fixtures/rooms");
        var rooms = args.Text("--rooms", "small,medium,large").Split(',');
        var count = args.Number("--count", 20);
        var inFlight = args.Number("--in-flight", 4);
        var deadline = DateTime.UtcNow + args.Seconds("--max-seconds", 3600);
        var groups = ProcessSampler.ParseGroups(args.Text("--pids"));
        // Always these columns, in this order; a group without pids prints n/a.
        string[] columns = ["api", "worker", "postgres", "rabbitmq", "s3"];
        args.CheckAllRead(1);

        using var api = new Api(address);
        var failures = 0;
        Console.WriteLine($"{count} snapshots per room and type, {inFlight} in flight; CPU ms per snapshot by process group");
        Console.WriteLine($"| room | type | completed | wall s | p50 s | file KB | {string.Join(" | ", columns.Select(g => $"{g} ms"))} |");
        Console.WriteLine($"|---|---|---|---|---|---|{string.Concat(columns.Select(_ => "---|"))}");
        foreach (var name in rooms)
        {
            var room = RoomFile.Parse(await File.ReadAllTextAsync(Path.Combine(fixtures, $"{name}.json")));
            room.Id = $"capacity-{name}-{Guid.NewGuid():N}"[..40];
            await api.CallAsync("UpsertRoom", async () => await api.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, deadline: DateTime.UtcNow.AddMinutes(5)));
            foreach (var type in new[] { SnapshotType.Pdf, SnapshotType.Json, SnapshotType.Csv })
            {
                await using var sampler = new ProcessSampler(groups, TimeSpan.FromSeconds(1));
                var outcomes = new List<LargeRooms.Outcome>();
                var next = 0;
                var watch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next) - 1) < count && DateTime.UtcNow < deadline)
                    {
                        var outcome = await LargeRooms.SnapshotAsync(api, room.Id, type, i, deadline);
                        lock (outcomes) outcomes.Add(outcome);
                    }
                }));
                var completed = outcomes.Where(o => o.Status == SnapshotStatus.Completed).ToList();
                failures += count - completed.Count;
                var perSnapshot = columns.Select(g => sampler.Groups.Contains(g) ? $"{sampler.CpuSecondsUsed(g) * 1000 / Math.Max(1, completed.Count):F0}" : "n/a");
                var p50 = completed.Count == 0 ? 0 : completed.Select(o => o.Seconds).Order().ElementAt(completed.Count / 2);
                Console.WriteLine(FormattableString.Invariant(
                    $"| {name} | {type.ToString().ToLowerInvariant()} | {completed.Count}/{count} | {watch.Elapsed.TotalSeconds:F1} | {p50:F2} | {(completed.Count == 0 ? 0 : completed.Average(o => o.SizeBytes) / 1024):F0} | {string.Join(" | ", perSnapshot)} |"));
            }
        }
        Console.WriteLine(failures == 0 ? "RESULT: every snapshot completed" : $"RESULT: {failures} snapshots did not complete");
        return failures == 0 ? 0 : 1;
    }
}
