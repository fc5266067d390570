// Times PdfRenderer in process against ReportLab (bench/reportlab_render.py) on the same rooms, unsigned and signed
// (what signing costs per PDF), and prints one table. Usage (bench/run.sh passes all of these):
//   RenderBench --fixtures DIR --script reportlab_render.py [--international FILE] [--python python3]
//               [--renders 40,20,7,40] [--reportlab on|off] [--signing-key-bits 3072] [--out DIR]
using System.Diagnostics;
using System.Globalization;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Signing;
using Sts.RenderBench;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

var options = Arguments.Parse(args);
var renderer = new PdfRenderer();
// A throwaway certificate with a key of the size scripts/infra.sh gives the development one.
using var signer = new SnapshotSigner(BenchCertificate.Create(options.SigningKeyBits));
var signing = new PdfRenderer(signer: signer);

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
    {
        renderer.Render(message, state);
        signing.Render(message, state);
    }
}

Console.WriteLine($"Load average before timing: {LoadAverage()}");
var rows = new List<string[]>();
foreach (var (room, message, state) in work)
{
    var pages = 0;
    var bytes = 0;
    // Process CPU over all renders: render work plus the GC and JIT work it causes on other threads.
    var (ours, cpu) = Time(room, r =>
    {
        var rendered = renderer.Render(message, state);
        pages = rendered.PageCount;
        bytes = rendered.Content.Length;
        if (r == 0 && options.Out is not null)
            File.WriteAllBytes(Path.Combine(options.Out, $"{room.Name}.pdfsharp.pdf"), rendered.Content);
    });
    var (signedMs, signedCpu) = Time(room, r =>
    {
        var rendered = signing.Render(message, state);
        if (r == 0 && options.Out is not null)
            File.WriteAllBytes(Path.Combine(options.Out, $"{room.Name}.signed.pdf"), rendered.Content);
    });
    var row = new List<string>
    {
        room.Name,
        Number(room.Renders),
        Number(pages),
        Kib(bytes),
        ours.ToString("F2", CultureInfo.InvariantCulture),
        cpu.ToString("F2", CultureInfo.InvariantCulture),
        signedMs.ToString("F2", CultureInfo.InvariantCulture),
        signedCpu.ToString("F2", CultureInfo.InvariantCulture),
        (signedCpu - cpu).ToString("F2", CultureInfo.InvariantCulture),
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
string[] header = ["room", "renders", "pages", "ours KiB", "ours ms", "ours CPU ms", "signed ms", "signed CPU ms", "signing CPU ms"];
if (options.ReportLab)
    header = [.. header, "RL pages", "RL KiB", "RL ms", "RL/ours", "RL plain ms", "RL plain/ours"];
PrintTable(header, rows);
Console.WriteLine();
Console.WriteLine("Medians per render; CPU ms is the process's CPU time over the timed renders (GC included), per render.");
Console.WriteLine($"signed: the same render, signed (PAdES B-B, RSA-{options.SigningKeyBits}, SHA-256); signing CPU ms: signed CPU ms - ours CPU ms.");
if (options.ReportLab)
{
    Console.WriteLine("RL: ReportLab with wrapping Paragraph cells, the same report as ours.");
    Console.WriteLine("RL plain: ReportLab with bare-string cells, which do not wrap (long values overflow): a lower bound for ReportLab.");
}

// The signature alone (CMS over a small room's PDF bytes, RSA private-key operation included), without the render
// around it: steadier than the difference of two render timings on a busy machine.
var sample = renderer.Render(work[0].Message, work[0].State).Content;
var (signMs, signCpu) = Time(new BenchRoom("sign", "", 200), _ => signer.Sign(sample));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"SnapshotSigner.Sign alone over {Kib(sample.Length)} KiB (RSA-{options.SigningKeyBits}): median {signMs:F2} ms, CPU {signCpu:F2} ms per signature."));

Console.WriteLine();
DiffBench.Run(runs: 100);

// Median wall time and CPU time per render of `render`, run room.Renders times.
static (double MedianMs, double CpuMs) Time(BenchRoom room, Action<int> render)
{
    var times = new double[room.Renders];
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    for (var r = 0; r < room.Renders; r++)
    {
        var watch = Stopwatch.StartNew();
        render(r);
        times[r] = watch.Elapsed.TotalMilliseconds;
    }
    return (Median(times), (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / room.Renders);
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
