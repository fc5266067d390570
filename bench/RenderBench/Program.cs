// Times PdfRenderer in process against ReportLab (bench/reportlab_render.py) on the same room fixtures
// and prints one table. Usage (bench/run.sh passes all of these):
//   RenderBench --fixtures DIR --script reportlab_render.py [--python python3] [--renders 40,20,7] [--out DIR]
using System.Diagnostics;
using System.Globalization;
using Sts.PdfWorker.Rendering;
using Sts.RenderBench;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

var options = Arguments.Parse(args);
string[] fixtures = ["small", "medium", "large"];
var renderer = new PdfRenderer();

var work = new List<(string Name, GenerateSnapshot Message, Sts.Api.V1.Room Room)>();
foreach (var name in fixtures)
{
    var room = await RoomFile.LoadAsync(Path.Combine(options.Fixtures, $"{name}.json"));
    var state = RoomState.ToCanonicalJson(room);
    work.Add((name, new GenerateSnapshot
    {
        SnapshotId = Guid.Parse("7b0c3c1e-2f4a-4d5b-9c61-0a8e2f3d4b5c"),
        TaskId = Guid.Parse("0d6f3a52-7c1b-4e8a-9f20-3b5c7d9e1f24"),
        RoomId = room.Id,
        Title = "Pre-transfer review",
        CreatedBy = "broker1@example.com",
        CreatedAt = new DateTimeOffset(2026, 11, 20, 14, 3, 7, TimeSpan.Zero),
        Format = "pdf",
        Options = new RenderOptions(IncludeDocuments: true, IncludeActivity: true, IncludeApprovals: true, ActivityLimit: 0),
        RoomVersion = 17,
        ContentHash = RoomState.Sha256Hex(state),
        RoomState = state,
    }, room));
}

// Warm-up: the JIT only reaches its final, profile-guided code after many calls, and a worker
// renders for hours, so steady state is what counts.
Console.WriteLine("Warming up...");
var warm = Stopwatch.StartNew();
while (warm.Elapsed < TimeSpan.FromSeconds(4))
{
    foreach (var (_, message, room) in work)
        renderer.Render(message, room);
}

Console.WriteLine($"Load average before timing: {LoadAverage()}");
var rows = new List<string[]>();
for (var i = 0; i < work.Count; i++)
{
    var (name, message, room) = work[i];
    var renders = options.Renders[i];
    var times = new double[renders];
    var pages = 0;
    for (var r = 0; r < renders; r++)
    {
        var watch = Stopwatch.StartNew();
        var rendered = renderer.Render(message, room);
        times[r] = watch.Elapsed.TotalMilliseconds;
        pages = rendered.PageCount;
        if (r == 0 && options.Out is not null)
            await File.WriteAllBytesAsync(Path.Combine(options.Out, $"{name}.pdfsharp.pdf"), rendered.Content);
    }
    var ours = Median(times);
    Console.WriteLine($"{name}: PdfRenderer {ours:F2} ms, {pages} pages; running ReportLab {renders} + {renders} times...");

    var fixture = Path.Combine(options.Fixtures, $"{name}.json");
    var reportLabPdf = options.Out is null ? null : Path.Combine(options.Out, $"{name}.reportlab.pdf");
    var wrapping = ReportLabRun.Measure(options.Python, options.Script, fixture, renders, plain: false, reportLabPdf);
    var plain = ReportLabRun.Measure(options.Python, options.Script, fixture, renders, plain: true, pdfOut: null);
    rows.Add(
    [
        name,
        renders.ToString(CultureInfo.InvariantCulture),
        pages.ToString(CultureInfo.InvariantCulture),
        ours.ToString("F2", CultureInfo.InvariantCulture),
        wrapping.Pages.ToString(CultureInfo.InvariantCulture),
        wrapping.MedianMs.ToString("F2", CultureInfo.InvariantCulture),
        Ratio(wrapping.MedianMs, ours),
        plain.MedianMs.ToString("F2", CultureInfo.InvariantCulture),
        Ratio(plain.MedianMs, ours),
    ]);
}

Console.WriteLine($"Load average after timing: {LoadAverage()}");
Console.WriteLine();
PrintTable(
    ["fixture", "renders", "pages", "ours ms", "RL pages", "RL ms", "RL/ours", "RL plain ms", "RL plain/ours"],
    rows);
Console.WriteLine();
Console.WriteLine("Medians per render. RL: ReportLab with wrapping Paragraph cells, the same report as ours.");
Console.WriteLine("RL plain: ReportLab with bare-string cells, which do not wrap (long values overflow): a lower bound for ReportLab.");

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
