namespace Sts.Bench.Load;

/// <summary>Latencies in milliseconds, collected from many tasks, and their percentiles.</summary>
public sealed class Latencies
{
    private readonly List<double> _values = [];

    public int Count
    {
        get { lock (_values) return _values.Count; }
    }

    public void Add(double milliseconds)
    {
        lock (_values) _values.Add(milliseconds);
    }

    public double Percentile(double p)
    {
        double[] sorted;
        lock (_values) sorted = [.. _values.Order()];
        if (sorted.Length == 0) return double.NaN;
        return sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public string Summary() => FormattableString.Invariant($"p50 {Percentile(50):F2} ms, p99 {Percentile(99):F2} ms, p999 {Percentile(99.9):F2} ms, max {Percentile(100):F2} ms");
}
