using System.Globalization;

namespace Sts.Bench.Load;

/// <summary>
/// Samples resident memory and CPU time of named groups of processes from /proc while a benchmark runs. A group is a
/// set of root pids; CPU counts each root, its live descendants and the children it has reaped (PostgreSQL's backends
/// come and go), so "service CPU" covers the whole server. Resident memory is summed over the roots alone (backends
/// share PostgreSQL's buffers, which would be counted many times over).
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
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

    /// <summary>Reads "api=1,2;worker=3;postgres=4" into groups; empty or missing pids are left out.</summary>
    public static Dictionary<string, int[]> ParseGroups(string? spec) =>
        (spec ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(g => g.Split('=', 2))
            .Where(g => g.Length == 2 && g[1].Length > 0)
            .ToDictionary(g => g[0], g => g[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray());

    public IEnumerable<string> Groups => _groups.Keys;

    /// <summary>CPU seconds the group used since sampling began.</summary>
    public double CpuSecondsUsed(string group) => CpuSeconds(_groups[group]) - _cpuAtStart[group];

    /// <summary>Peak, and the highest sample in each quarter of the run: a plateau shows as equal quarters.</summary>
    public (long Peak, long[] QuarterMax) Memory(string group)
    {
        List<(TimeSpan At, long RssBytes)> samples;
        lock (_rss) samples = [.. _rss[group]];
        if (samples.Count == 0) return (0, [0, 0, 0, 0]);
        var quarters = new long[4];
        for (var i = 0; i < samples.Count; i++)
        {
            var q = Math.Min(3, i * 4 / samples.Count);
            quarters[q] = Math.Max(quarters[q], samples[i].RssBytes);
        }
        return (samples.Max(s => s.RssBytes), quarters);
    }

    /// <summary>"api 12.3 ms, worker 4.5 ms, ..., total 20.1 ms" per operation, and the total.</summary>
    public (string Text, double TotalMs) CpuPerOperation(long operations)
    {
        if (operations == 0) return ("no operations", 0);
        var parts = Groups.Select(g => (Name: g, Ms: CpuSecondsUsed(g) * 1000 / operations)).ToList();
        var total = parts.Sum(p => p.Ms);
        return (string.Join(", ", parts.Select(p => FormattableString.Invariant($"{p.Name} {p.Ms:F2}"))) + FormattableString.Invariant($", total {total:F2} ms"), total);
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                foreach (var (name, pids) in _groups)
                {
                    var sample = (_clock.Elapsed, pids.Sum(RssBytes));
                    lock (_rss) _rss[name].Add(sample);
                }
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

    private static double CpuSeconds(int[] roots)
    {
        var stats = ReadAll();
        var total = 0.0;
        foreach (var root in roots)
        {
            if (!stats.TryGetValue(root, out var rootStat)) continue;
            total += rootStat.Own + rootStat.Reaped;
            // Live descendants: their own time (their reaped children are in their Reaped, counted when they are).
            var frontier = new Queue<int>([root]);
            while (frontier.Count > 0)
            {
                var parent = frontier.Dequeue();
                foreach (var (pid, stat) in stats)
                {
                    if (stat.Parent != parent) continue;
                    total += stat.Own + stat.Reaped;
                    frontier.Enqueue(pid);
                }
            }
        }
        return total;
    }

    private readonly record struct Stat(int Parent, double Own, double Reaped);

    private static Dictionary<int, Stat> ReadAll()
    {
        var result = new Dictionary<int, Stat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText($"{dir}/stat");
                // Fields after the command name, which is in parentheses and may hold spaces: state is [0], ppid [1],
                // utime, stime, cutime, cstime are [11]..[14].
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                double Field(int i) => double.Parse(fields[i], CultureInfo.InvariantCulture) / TicksPerSecond;
                result[pid] = new Stat(int.Parse(fields[1], CultureInfo.InvariantCulture), Field(11) + Field(12), Field(13) + Field(14));
            }
            catch (IOException)
            {
                // Gone between listing and reading.
            }
        }
        return result;
    }
}
