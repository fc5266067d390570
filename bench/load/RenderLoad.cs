using System.Diagnostics;
using Sts.Api.V1;
using Sts.PdfWorker.Rendering;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

namespace Sts.Bench.Load;

/// <summary>The baseline for end to end: the worker's renderer alone, in this process, at the same concurrency.</summary>
public static class RenderLoad
{
    public static int Run(Args args)
    {
        var fixture = args.Text("--room-file") ?? throw new ArgumentException("--room-file is required");
        var concurrency = args.Number("--concurrency", Environment.ProcessorCount);
        var duration = args.Seconds("--seconds", 10);
        var type = args.Text("--type", "pdf").ToLowerInvariant();
        args.CheckAllRead(1);

        var room = RoomFile.LoadAsync(fixture).GetAwaiter().GetResult();
        ISnapshotRenderer renderer = type switch { "pdf" => new PdfRenderer(), "json" => new JsonRenderer(), _ => new CsvRenderer() };
        var state = RoomState.ToCanonicalJson(room);
        GenerateSnapshot Message() => new()
        {
            SnapshotId = Guid.NewGuid(), TaskId = Guid.NewGuid(), RoomId = room.Id, Title = "render", CreatedBy = "bench@sts.local",
            CreatedAt = DateTimeOffset.UtcNow, Format = type, Options = new RenderOptions(true, true, true, 0), RoomVersion = 1,
            ContentHash = RoomState.Sha256Hex(state), RoomState = state,
        };
        // As the worker does on a cache miss: parse the frozen state, render, finish.
        void RenderOnce() => renderer.Finish(Message(), renderer.RenderBody(Message(), RoomState.Parse(state)).Content);
        for (var i = 0; i < 20; i++) RenderOnce();

        var latencies = new Latencies();
        long done = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, concurrency).Select(_ => new Thread(() =>
        {
            while (watch.Elapsed < duration)
            {
                var begun = watch.Elapsed;
                RenderOnce();
                latencies.Add((watch.Elapsed - begun).TotalMilliseconds);
                Interlocked.Increment(ref done);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var elapsed = watch.Elapsed;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / done;
        Console.WriteLine(FormattableString.Invariant($"render-only {type} {Path.GetFileNameWithoutExtension(fixture)} x{concurrency}: {done / elapsed.TotalSeconds:F1}/s; {latencies.Summary()}; CPU {cpuMs:F2} ms per render; resident memory at the end {Environment.WorkingSet >> 20} MiB, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT render-only_{type}_{Path.GetFileNameWithoutExtension(fixture)} ops={done} rate={done / elapsed.TotalSeconds:F1} p50={latencies.Percentile(50):F2} p99={latencies.Percentile(99):F2} cpu_ms={cpuMs:F2}"));
        return 0;
    }
}
