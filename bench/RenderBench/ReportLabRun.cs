using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sts.RenderBench;

/// <summary>One run of bench/reportlab_render.py: its own median per render (start-up excluded), page count and file size.</summary>
internal sealed partial record ReportLabRun(double MedianMs, int Pages, int Bytes)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <param name="plain">Bare-string table cells (no wrapping) instead of Paragraphs; see the script's notes.</param>
    public static ReportLabRun Measure(string python, string script, string fixture, int renders, bool plain, string? pdfOut)
    {
        var start = new ProcessStartInfo(python)
        {
            ArgumentList = { script, fixture, renders.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (plain)
            start.ArgumentList.Add("--plain");
        if (pdfOut is not null)
        {
            start.ArgumentList.Add("--out");
            start.ArgumentList.Add(pdfOut);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} took longer than {Timeout.TotalMinutes} minutes on {fixture}.");
        }
        process.WaitForExit();
        var match = ResultLine().Match(output.Result);
        if (process.ExitCode != 0 || !match.Success)
            throw new InvalidOperationException($"{script} failed (exit code {process.ExitCode}): {errors.Result}{output.Result}");
        return new ReportLabRun(
            double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["pages"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["bytes"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^RESULT .*median_ms=(?<ms>[0-9.]+) pages=(?<pages>\d+) bytes=(?<bytes>\d+)", RegexOptions.Multiline)]
    private static partial Regex ResultLine();
}
