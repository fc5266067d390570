// Times PdfRenderer in process against ReportLab (bench/reportlab_render.py) on the same rooms and
// prints one table. Usage (bench/run.sh passes all of these):
//   RenderBench --fixtures DIR --script reportlab_render.py [--international FILE] [--python python3]
//               [--renders 40,20,7,40] [--reportlab on|off] [--out DIR]
using System.Diagnostics;
using System.Globalization;
using Sts.PdfWorker.Rendering;
using Sts.RenderBench;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

var options = Arguments.Parse(args);
var renderer = new PdfRenderer();

var work = new List<(BenchRoom Room, GenerateSnapshot Message, Sts.Api.V1.Room State)>();
foreach (var room in options.Rooms)
{
    var state = await RoomFile.LoadAsync(room.Path);
    var json = RoomState.ToCanonicalJson(state);
    work.Add((room, new GenerateSnapshot
    {
        SnapshotId = Guid.Parse("7b0c3c1e-2f4a-4d5b-9c61-0a8e2f3d4b5c"),
        TaskId = Guid.Parse("0d6f3a52-7c1b-4e8a-9f20-3b5c7d9e1f24"),
        RoomId = state.Id,
        Title = "Pre-transfer review",
        CreatedBy = "broker1@example.com",
        CreatedAt = new DateTimeOffset(2026, 11, 20, 14, 3, 7, TimeSpan.Zero),
        Format = "pdf",
        Options = new RenderOptions(IncludeDocuments: true, IncludeActivity: true, IncludeApprovals: true, ActivityLimit: 0),
        RoomVersion = 17,
        ContentHash = RoomState.Sha256Hex(json),
        RoomState = json,
    }, state));
}

// Warm-up: the JIT only reaches its final, profile-guided code after many calls, and a worker
// renders for hours, so steady state is what counts.
Console.WriteLine("Warming up...");
var warm = Stopwatch.StartNew();
while (warm.Elapsed < TimeSpan.FromSeconds(4))
{
    foreach (var (_, message, state) in work)
        renderer.Render(message, state);
}

Console.WriteLine($"Load average before timing: {LoadAverage()}");
var rows = new List<string[]>();
foreach (var (room, message, state) in work)
{
    var times = new double[room.Renders];
    var pages = 0;
    var bytes = 0;
    // Process CPU over all renders: render work plus the GC and JIT work it causes on other threads.
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    for (var r = 0; r < room.Renders; r++)
    {
        var watch = Stopwatch.StartNew();
        var rendered = renderer.Render(message, state);
        times[r] = watch.Elapsed.TotalMilliseconds;
        pages = rendered.PageCount;
        bytes = rendered.Content.Length;
        if (r == 0 && options.Out is not null)
            await File.WriteAllBytesAsync(Path.Combine(options.Out, $"{room.Name}.pdfsharp.pdf"), rendered.Content);
    }
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / room.Renders;
    var ours = Median(times);
    var row = new List<string>
    {
        room.Name,
        Number(room.Renders),
        Number(pages),
        Kib(bytes),
        ours.ToString("F2", CultureInfo.InvariantCulture),
        cpu.ToString("F2", CultureInfo.InvariantCulture),
    };
    if (options.ReportLab)
    {
        Console.WriteLine($"{room.Name}: PdfRenderer {ours:F2} ms, {pages} pages; running ReportLab {room.Renders} + {room.Renders} times...");
        var reportLabPdf = options.Out is null ? null : Path.Combine(options.Out, $"{room.Name}.reportlab.pdf");
        var wrapping = ReportLabRun.Measure(options.Python, options.Script, room.Path, room.Renders, plain: false, reportLabPdf);
        var plain = ReportLabRun.Measure(options.Python, options.Script, room.Path, room.Renders, plain: true, pdfOut: null);
        row.AddRange(
        [
            Number(wrapping.Pages),
            Kib(wrapping.Bytes),
            wrapping.MedianMs.ToString("F2", CultureInfo.InvariantCulture),
            Ratio(wrapping.MedianMs, ours),
            plain.MedianMs.ToString("F2", CultureInfo.InvariantCulture),
            Ratio(plain.MedianMs, ours),
        ]);
    }
    else
    {
        Console.WriteLine($"{room.Name}: PdfRenderer {ours:F2} ms, {pages} pages");
    }
    rows.Add([.. row]);
}

Console.WriteLine($"Load average after timing: {LoadAverage()}");
Console.WriteLine();
string[] header = ["room", "renders", "pages", "ours KiB", "ours ms", "ours CPU ms"];
if (options.ReportLab)
    header = [.. header, "RL pages", "RL KiB", "RL ms", "RL/ours", "RL plain ms", "RL plain/ours"];
PrintTable(header, rows);
Console.WriteLine();
Console.WriteLine("Medians per render; CPU ms is the process's CPU time over the timed renders (GC included), per render.");
if (options.ReportLab)
{
    Console.WriteLine("RL: ReportLab with wrapping Paragraph cells, the same report as ours.");
    Console.WriteLine("RL plain: ReportLab with bare-string cells, which do not wrap (long values overflow): a lower bound for ReportLab.");
}

static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

static string Kib(int bytes) => (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture);

static string Ratio(double theirs, double ours) => (theirs / ours).ToString("F1", CultureInfo.InvariantCulture) + "x";

static double Median(double[] values)
{
    var sorted = values.Order().ToArray();
    var middle = sorted.Length / 2;
    return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// The machine may be shared; the load average says how much the numbers can be trusted.
static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static void PrintTable(string[] header, List<string[]> rows)
{
    var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
    Console.WriteLine("| " + string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))) + " |");
    Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
    foreach (var row in rows)
        Console.WriteLine("| " + string.Join(" | ", row.Select((c, i) => c.PadLeft(widths[i]))) + " |");
}
