using System.Diagnostics;

namespace Sts.Tests.Support;

/// <summary>How one run of the CLI ended.</summary>
public sealed record StsRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the real `sts` (cli/Sts.Cli, built with this test project) as a process, with none of the caller's STS_* settings.</summary>
public static class StsCli
{
    private static readonly string Dll = Locate();

    public static async Task<StsRun> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // No address, identity or trust anchor from the developer's shell: the test says what it means.
        foreach (var name in new[] { "STS_API", "STS_TOKEN", "STS_CA", "STS_CERT", "STS_KEY", "STS_SIGNING_AUTHORITY" }) start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sts {string.Join(' ', args)} did not finish within 90 s.");
        }
        return new StsRun(process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>cli/Sts.Cli/bin/{the configuration this test runs in}/net10.0/sts.dll.</summary>
    private static string Locate()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (output.Name, output.Parent!.Name);
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "cli", "Sts.Cli", "bin", configuration, framework, "sts.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"sts.dll ({configuration}/{framework}) not found above {AppContext.BaseDirectory}; build Sts.sln first.");
    }
}
