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
        var (exitCode, output, errors) = RunAllowingFailure(tool, pdf, arguments);
        Assert.True(exitCode == 0, $"{tool} failed with exit code {exitCode}: {errors}");
        return output;
    }

    /// <summary>
    /// pdfsig's report on the PDF's signatures, and its exit code (poppler 22.12 exits 0 when it could check them, valid
    /// or not; the report says which).
    /// </summary>
    public static (int ExitCode, string Report) Pdfsig(byte[] pdf)
    {
        var (exitCode, output, errors) = RunAllowingFailure("pdfsig", pdf, [Pdf]);
        return (exitCode, output + errors);
    }

    /// <summary>
    /// pdfsig's report with <paramref name="authorityPem"/> as the only trusted certificate authority, in an NSS
    /// database of its own (made with certutil, Debian's libnss3-tools), so that it also judges the signer's certificate.
    /// </summary>
    public static string PdfsigTrusting(byte[] pdf, string authorityPem)
    {
        var nss = Directory.CreateTempSubdirectory("sts-nss-").FullName;
        try
        {
            var authority = Path.Combine(nss, "authority.pem");
            File.WriteAllText(authority, authorityPem);
            Tool("certutil", "-N", "-d", $"sql:{nss}", "--empty-password");
            Tool("certutil", "-A", "-d", $"sql:{nss}", "-n", "sts-test-authority", "-t", "CT,C,C", "-i", authority);
            var (_, output, errors) = RunAllowingFailure("pdfsig", pdf, ["-nssdir", $"sql:{nss}", Pdf]);
            return output + errors;
        }
        finally
        {
            Directory.Delete(nss, recursive: true);
        }

        static void Tool(string tool, params string[] arguments)
        {
            var (exitCode, output, errors) = Run(tool, arguments);
            Assert.True(exitCode == 0, $"{tool} failed with exit code {exitCode}: {output}{errors}");
        }
    }

    private static (int ExitCode, string Output, string Errors) RunAllowingFailure(string tool, byte[] pdf, string[] arguments)
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

    private static (int ExitCode, string Output, string Errors) Run(string tool, string[] arguments)
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
                $"{tool} was not found. The PDF tests need poppler-utils and libnss3-tools (certutil): apt-get install -y poppler-utils libnss3-tools.", e);
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
            return (process.ExitCode, output.Result, errors.Result);
        }
    }
}
