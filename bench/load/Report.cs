using System.Globalization;

namespace Sts.Bench.Load;

/// <summary>One measured run's figures: throughput, latency, service CPU per operation, resident memory.</summary>
public static class Report
{
    public static void Print(string what, long operations, TimeSpan elapsed, Latencies latencies, ProcessSampler sampler)
    {
        var rate = operations / elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"{what}: {operations} in {elapsed.TotalSeconds:F1} s = {rate:F1}/s; {latencies.Summary()}"));
        Console.WriteLine($"  service CPU per operation: {sampler.CpuPerOperation(operations).Text}");
        foreach (var group in sampler.Groups.Where(g => g is "api" or "worker"))
        {
            var (peak, quarters) = sampler.Memory(group);
            Console.WriteLine(Invariant($"  {group} resident memory: peak {peak >> 20} MiB, last quarter {quarters[3] >> 20} MiB"));
        }
        // One line a script can pick out and compare.
        Console.WriteLine(Invariant($"RESULT {what.Replace(' ', '_')} ops={operations} rate={rate:F1} p50={latencies.Percentile(50):F2} p99={latencies.Percentile(99):F2} p999={latencies.Percentile(99.9):F2} cpu_ms={sampler.CpuPerOperation(operations).TotalMs:F2}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
