using System.Diagnostics;

namespace Sts.Chaos;

/// <summary>
/// One service running as a child process from its Release build folder (so it reads the appsettings.json
/// there), with its settings as environment overrides and its output appended to a log file.
/// </summary>
public sealed class ServiceProcess(string name, string dll, string logFile) : IDisposable
{
    private readonly object _gate = new();
    private Process? _process;
    private StreamWriter? _log;

    public string Name { get; } = name;
    public string LogFile { get; } = logFile;
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public int Starts { get; private set; }
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public void Start()
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} not found; build it first (dotnet build -c Release)", dll);
        Kill();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.GetFileName(dll));
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        lock (_gate)
        {
            _log ??= new StreamWriter(LogFile, append: true) { AutoFlush = true };
            _log.WriteLine($"==== {DateTimeOffset.UtcNow:O} start #{Starts + 1} of {Name} ====");
            var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Write(e.Data);
            process.ErrorDataReceived += (_, e) => Write(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            Starts++;
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no graceful drain; what a power cut or the OOM killer does.</summary>
    public int? Kill()
    {
        Process? process;
        lock (_gate) process = _process;
        if (process is null) return null;
        int? pid = null;
        try
        {
            if (!process.HasExited)
            {
                pid = process.Id;
                process.Kill(entireProcessTree: false);
            }
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        lock (_gate)
        {
            _log?.WriteLine($"==== {DateTimeOffset.UtcNow:O} {Name} killed (SIGKILL, pid {pid}) ====");
            process.Dispose();
            if (ReferenceEquals(_process, process)) _process = null;
        }
        return pid;
    }

    /// <summary>
    /// SIGTERM, what an orchestrator sends before a rolling restart, then waits up to <paramref name="grace"/> for the
    /// process to exit by itself. Returns its exit code, or null when it had to be killed after the grace period.
    /// </summary>
    public async Task<(int? Pid, int? ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan grace)
    {
        Process? process;
        lock (_gate) process = _process;
        if (process is null || process.HasExited) return (null, process?.ExitCode, TimeSpan.Zero);
        var pid = process.Id;
        var watch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        lock (_gate) _log?.WriteLine($"==== {DateTimeOffset.UtcNow:O} {Name} sent SIGTERM (pid {pid}) ====");
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return (pid, null, watch.Elapsed);
        }
        var code = process.ExitCode;
        lock (_gate)
        {
            _log?.WriteLine($"==== {DateTimeOffset.UtcNow:O} {Name} exited with code {code} after SIGTERM ({watch.Elapsed.TotalSeconds:F1} s) ====");
            process.Dispose();
            if (ReferenceEquals(_process, process)) _process = null;
        }
        return (pid, code, watch.Elapsed);
    }

    /// <summary>The exit code when the process ended without being killed here (a crash); null while it runs or after a kill.</summary>
    public int? ExitedOnItsOwn
    {
        get
        {
            lock (_gate) return _process is { HasExited: true } p ? p.ExitCode : null;
        }
    }

    public bool Exited
    {
        get
        {
            lock (_gate) return _process is null || _process.HasExited;
        }
    }

    /// <summary>The last lines of this service's log, for error reports.</summary>
    public string Tail(int lines)
    {
        lock (_gate)
        {
            _log?.Flush();
            try
            {
                using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var all = reader.ReadToEnd().Split('\n');
                return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
            }
            catch (IOException ex)
            {
                return $"(no log: {ex.Message})";
            }
        }
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_gate) _log?.WriteLine(line);
    }

    public void Dispose()
    {
        Kill();
        lock (_gate)
        {
            _log?.Dispose();
            _log = null;
        }
    }
}
