using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Sts.PdfWorker.Tests.Support;

/// <summary>Extracts a PDF's text with poppler's pdftotext, the way a reader's search or copy would see it.</summary>
internal static class PdfText
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The text of every page; pdftotext ends each page with a form feed.</summary>
    public static string Extract(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pdfworker-tests-{Environment.ProcessId}-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try
        {
            return Run(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static string WithoutWhitespace(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    private static string Run(string path)
    {
        var start = new ProcessStartInfo("pdftotext")
        {
            ArgumentList = { "-enc", "UTF-8", path, "-" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext did not start.");
        }
        catch (Win32Exception e)
        {
            // Fail, never skip: these tests are the only check that the PDF text is really there.
            throw new InvalidOperationException(
                "pdftotext was not found. The PDF tests need poppler-utils: apt-get install -y poppler-utils.", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"pdftotext did not finish within {Timeout.TotalSeconds} s.");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"pdftotext failed with exit code {process.ExitCode}: {errors.Result}");
            return output.Result;
        }
    }
}
