using System.Globalization;

namespace Sts.Bench.Load;

/// <summary>
/// Samples resident memory and CPU time of named process groups from /proc while a benchmark runs. A group is a set
/// of pids; CPU counts each process, its live children and the children it has reaped (PostgreSQL's backends: a
/// pooled connection's backend lives through the run, a closed one's time moves to the postmaster when reaped).
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly Dictionary<string, int[]> _groups;
    private readonly Dictionary<string, List<(TimeSpan At, long RssBytes)>> _rss = [];
    private readonly Dictionary<string, double> _cpuAtStart;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public ProcessSampler(Dictionary<string, int[]> groups, TimeSpan interval)
    {
        _groups = groups.Where(g => g.Value.Length > 0).ToDictionary();
        foreach (var name in _groups.Keys) _rss[name] = [];
        _cpuAtStart = _groups.ToDictionary(g => g.Key, g => CpuSeconds(g.Value));
        _loop = LoopAsync(interval);
    }

    public IEnumerable<string> Groups => _groups.Keys;

    /// <summary>CPU seconds the group used since sampling began.</summary>
    public double CpuSecondsUsed(string group) => CpuSeconds(_groups[group]) - _cpuAtStart[group];

    public IReadOnlyList<(TimeSpan At, long RssBytes)> Rss(string group) => _rss[group];

    /// <summary>Peak, and the highest sample in each quarter of the run: a plateau shows as equal quarters.</summary>
    public (long Peak, long[] QuarterMax) Memory(string group)
    {
        var samples = _rss[group];
        if (samples.Count == 0) return (0, [0, 0, 0, 0]);
        var quarters = new long[4];
        for (var i = 0; i < samples.Count; i++)
        {
            var q = Math.Min(3, i * 4 / samples.Count);
            quarters[q] = Math.Max(quarters[q], samples[i].RssBytes);
        }
        return (samples.Max(s => s.RssBytes), quarters);
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                foreach (var (name, pids) in _groups)
                    _rss[name].Add((_clock.Elapsed, pids.Sum(RssBytes)));
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static long RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // The process has gone: it uses nothing.
        }
        return 0;
    }

    private static double CpuSeconds(int[] pids) =>
        pids.Sum(pid => Ticks(pid, withReapedChildren: true) + ChildrenOf(pid).Sum(child => Ticks(child, withReapedChildren: false))) / TicksPerSecond;

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        var parentText = parent.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && StatFields(pid)?[1] == parentText)
                yield return pid;
        }
    }

    /// <summary>utime + stime, and with <paramref name="withReapedChildren"/> cutime + cstime too; 0 for a process that has gone.</summary>
    private static double Ticks(int pid, bool withReapedChildren)
    {
        if (StatFields(pid) is not { } fields) return 0;
        double Field(int i) => double.Parse(fields[i], CultureInfo.InvariantCulture);
        // utime, stime, cutime, cstime are fields 14-17 of stat, i.e. 11-14 after the name.
        return Field(11) + Field(12) + (withReapedChildren ? Field(13) + Field(14) : 0);
    }

    /// <summary>The fields of /proc/PID/stat after the command name (which is in parentheses and may hold spaces).</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
