using System.Globalization;

namespace Sts.RenderBench;

/// <summary>RenderBench's command line.</summary>
internal sealed record Arguments(string Fixtures, string Script, string Python, int[] Renders, string? Out)
{
    /// <summary>Renders per fixture (small, medium, large): ReportLab takes seconds over each large one.</summary>
    private static readonly int[] DefaultRenders = [40, 20, 7];

    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i]] = args[i + 1];
        if (args.Length % 2 != 0 || !values.TryGetValue("--fixtures", out var fixtures) || !values.TryGetValue("--script", out var script))
            throw new ArgumentException("Usage: RenderBench --fixtures DIR --script reportlab_render.py [--python python3] [--renders 40,20,7] [--out DIR]");

        var renders = values.TryGetValue("--renders", out var list)
            ? list.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray()
            : DefaultRenders;
        if (renders.Length != 3 || renders.Any(n => n < 1))
            throw new ArgumentException("--renders takes three positive counts: small,medium,large.");
        var output = values.GetValueOrDefault("--out");
        if (output is not null)
            Directory.CreateDirectory(output);
        return new Arguments(fixtures, script, values.GetValueOrDefault("--python", "python3"), renders, output);
    }
}
