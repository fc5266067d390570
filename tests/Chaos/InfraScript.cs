using System.Diagnostics;

namespace Sts.Chaos;

/// <summary>Runs scripts/infra.sh (or whatever --infra names) with this process's environment, so its STS_* overrides apply.</summary>
public sealed class InfraScript(string path)
{
    public string Path { get; } = path;

    /// <summary>Runs one subcommand; returns its exit code and its combined output.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path);
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();   // the run's budget or Ctrl-C, not this command's timeout
            return (-1, $"{command} timed out after {timeout.TotalSeconds:F0} s\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Runs a subcommand that must succeed.</summary>
    public async Task<string> RequireAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        var (code, output) = await RunAsync(command, timeout, ct);
        return code == 0 ? output : throw new InvalidOperationException($"infra.sh {command} failed ({code}): {output}");
    }

    /// <summary>Brings PostgreSQL and RabbitMQ back if a fault left either down (an app stopped, a server not restarted).</summary>
    public async Task<string?> EnsureUpAsync(CancellationToken ct)
    {
        var (status, _) = await RunAsync("status", TimeSpan.FromSeconds(30), ct);
        if (status == 0) return null;
        var (code, output) = await RunAsync("up", TimeSpan.FromSeconds(180), ct);
        return code == 0 ? "infrastructure was not fully up after the run; `infra.sh up` restored it" : $"infra.sh up failed ({code}): {output}";
    }
}
