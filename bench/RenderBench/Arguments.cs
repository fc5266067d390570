using System.Globalization;

namespace Sts.RenderBench;

/// <summary>One room to time: its name in the table, its file and how many renders to time.</summary>
internal sealed record BenchRoom(string Name, string Path, int Renders);

/// <summary>RenderBench's command line.</summary>
internal sealed record Arguments(IReadOnlyList<BenchRoom> Rooms, string Script, string Python, bool ReportLab, int SigningKeyBits, string? Out)
{
    private const string Usage =
        "Usage: RenderBench --fixtures DIR --script reportlab_render.py [--international FILE] [--python python3] " +
        "[--renders 40,20,7[,40]] [--reportlab on|off] [--signing-key-bits 3072] [--out DIR]";

    /// <summary>Renders per room (small, medium, large, international): ReportLab takes seconds over each large one.</summary>
    private static readonly int[] DefaultRenders = [40, 20, 7, 40];

    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i]] = args[i + 1];
        if (args.Length % 2 != 0 || !values.TryGetValue("--fixtures", out var fixtures) || !values.TryGetValue("--script", out var script))
            throw new ArgumentException(Usage);

        var files = new List<(string Name, string Path)>
        {
            ("small", Path.Combine(fixtures, "small.json")),
            ("medium", Path.Combine(fixtures, "medium.json")),
            ("large", Path.Combine(fixtures, "large.json")),
        };
        if (values.TryGetValue("--international", out var international))
            files.Add(("international", international));

        var renders = values.TryGetValue("--renders", out var list)
            ? list.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray()
            : DefaultRenders[..files.Count];
        if (renders.Length != files.Count || renders.Any(n => n < 1))
            throw new ArgumentException($"--renders takes {files.Count} positive counts, one per room: {string.Join(',', files.Select(f => f.Name))}.");
        var reportLab = values.GetValueOrDefault("--reportlab", "on") switch
        {
            "on" => true,
            "off" => false,
            _ => throw new ArgumentException("--reportlab takes on or off."),
        };
        var keyBits = int.Parse(values.GetValueOrDefault("--signing-key-bits", "3072"), CultureInfo.InvariantCulture);
        if (keyBits is < 2048 or > 8192)
            throw new ArgumentException("--signing-key-bits takes an RSA key size from 2048 to 8192.");
        var output = values.GetValueOrDefault("--out");
        if (output is not null)
            Directory.CreateDirectory(output);
        var rooms = files.Select((f, i) => new BenchRoom(f.Name, f.Path, renders[i])).ToArray();
        return new Arguments(rooms, script, values.GetValueOrDefault("--python", "python3"), reportLab, keyBits, output);
    }
}
