using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Sts.PdfWorker.Tests.Support;

/// <summary>Runs poppler's command-line tools (poppler-utils) on a PDF, as a reader's viewer or search would see it.</summary>
internal static class Poppler
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Stands for the PDF's path in the arguments of <see cref="Run(string, byte[], string[])"/>.</summary>
    public const string Pdf = "{pdf}";

    /// <summary>Runs <paramref name="tool"/> on <paramref name="pdf"/> (its path where <see cref="Pdf"/> stands) and returns its standard output.</summary>
    public static string Run(string tool, byte[] pdf, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pdfworker-tests-{Environment.ProcessId}-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try
        {
            return Run(tool, [.. arguments.Select(a => a == Pdf ? path : a)]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Run(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        }
        catch (Win32Exception e)
        {
            // Fail, never skip: these tests are the only check that the PDF text is really there.
            throw new InvalidOperationException(
                $"{tool} was not found. The PDF tests need poppler-utils: apt-get install -y poppler-utils.", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} did not finish within {Timeout.TotalSeconds} s.");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{tool} failed with exit code {process.ExitCode}: {errors.Result}");
            return output.Result;
        }
    }
}
