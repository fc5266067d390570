using System.Diagnostics;

namespace Sts.SnapshotApi.Tests.Infrastructure;

/// <summary>Runs the built `sts` command-line client (cli/Sts.Cli, Release) as a process, as a user would.</summary>
public static class StsCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The exit code and both outputs of `sts ARGS`.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // No dev identity or trust anchor from the developer's shell: the test says what it means.
        start.Environment.Remove("STS_TOKEN");
        start.Environment.Remove("STS_SIGNING_AUTHORITY");
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sts {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
        }
        return (process.ExitCode, await output, await errors);
    }

    private static string Dll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Sts.sln"))) continue;
            var dll = Path.Combine(dir.FullName, "cli", "Sts.Cli", "bin", "Release", "net10.0", "sts.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing: build the solution in Release first.");
        }
        throw new DirectoryNotFoundException("Could not find the repo root (Sts.sln) above " + AppContext.BaseDirectory);
    }
}
