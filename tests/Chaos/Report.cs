using System.Globalization;
using System.Text;

namespace Sts.Chaos;

/// <summary>The tables a run prints: outcomes overall and per fault phase, then the evidence behind any failure.</summary>
public static class Report
{
    private static readonly string[] Columns = ["phase", "attempted", "completed", "failed", "refused", "rejected", "lost", "stuck", "duplicated", "corrupt", "retried-ok"];

    public static string Table(IReadOnlyList<Phase> phases, IReadOnlyCollection<CreateRecord> creates, IReadOnlyCollection<Classified> results)
    {
        var verdicts = results.ToDictionary(r => r.Create.Number, r => r.Verdict);
        var rows = phases.Select(p => Row(p.Name, creates.Where(c => c.Phase == p.Name).ToList(), verdicts)).ToList();
        rows.Add(Row("TOTAL", [.. creates], verdicts));
        var widths = Columns.Select((c, i) => Math.Max(c.Length, rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        Line(Columns);
        Line([.. widths.Select(w => new string('-', w))]);
        foreach (var row in rows) Line(row);
        return sb.ToString();
    }

    private static string[] Row(string name, List<CreateRecord> creates, Dictionary<int, Verdict> verdicts)
    {
        int Count(Verdict v) => creates.Count(c => verdicts.TryGetValue(c.Number, out var x) && x == v);
        string S(int n) => n.ToString(CultureInfo.InvariantCulture);
        return
        [
            name,
            S(creates.Count),
            S(Count(Verdict.Done)),
            S(Count(Verdict.Failed)),
            S(creates.Count(c => c.Outcome == CreateOutcome.Refused)),
            S(creates.Count(c => c.Outcome == CreateOutcome.Rejected)),
            S(Count(Verdict.Lost)),
            S(Count(Verdict.Stuck)),
            S(Count(Verdict.Duplicated)),
            S(Count(Verdict.Corrupt)),
            S(creates.Count(c => c.Outcome == CreateOutcome.Accepted && c.Attempts > 1)),
        ];
    }
}
