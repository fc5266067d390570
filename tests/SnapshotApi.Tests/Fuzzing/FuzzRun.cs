using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;

namespace Sts.SnapshotApi.Tests.Fuzzing;

/// <summary>How one generated request ended. <see cref="Input"/> is filled in only for failures worth reading.</summary>
public sealed record FuzzOutcome(FuzzCase Case, string Rpc, string Action, string Caller, bool Readable, StatusCode Code, string Detail, string? Input)
{
    /// <summary>The caller, with the scene's parties taken together.</summary>
    public string CallerKind => Caller.StartsWith("party ", StringComparison.Ordinal) ? "parties" : Caller;

    public override string ToString() =>
        $"#{Case.Index} {Rpc} as {Caller} (case seed {Case.Seed}) -> {Code}: {Detail}{(Input is null ? "" : $"\n      input: {Input}")}";
}

/// <summary>
/// One fuzz campaign against the API: sets up the scene, sends every planned request with bounded concurrency
/// and a deadline each, and records the statuses and how many audit records the calls left.
/// </summary>
/// <param name="AuditsExpected">Per audit action: the calls sent, each of which must leave exactly one record.</param>
/// <param name="AuditsWritten">Per audit action: records the run added to the log.</param>
public sealed record FuzzRun(
    int Seed, IReadOnlyList<FuzzOutcome> Outcomes, TimeSpan Elapsed,
    IReadOnlyDictionary<string, long> AuditsExpected, IReadOnlyDictionary<string, long> AuditsWritten)
{
    public const int DefaultSeed = 20_261_124;
    public const int InFlight = 8;

    /// <summary>The seed: STS_FUZZ_SEED when set (to explore), otherwise the fixed one (to reproduce).</summary>
    public static int SeedFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("STS_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    public static async Task<FuzzRun> ExecuteAsync(ApiFixture api, int seed)
    {
        var scene = await FuzzScene.CreateAsync(api, seed);
        var callers = FuzzCallers.Create(api, scene, seed);
        var rawChannel = api.Channel(api.Address, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        var cases = new FuzzCases(scene, callers, rawChannel.CreateCallInvoker());
        var plan = FuzzCases.Plan(seed);
        var auditBefore = await api.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM audit_log");

        var outcomes = new FuzzOutcome[plan.Count];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (c, _) => outcomes[c.Index] = await SendAsync(c, cases.Build(c)));
        var elapsed = clock.Elapsed;

        var expected = outcomes.GroupBy(o => o.Action).ToDictionary(g => g.Key, g => (long)g.Count());
        var total = expected.Values.Sum();
        // A call whose client gave up first (every watch, any deadline) is audited when the server notices; wait for those.
        try
        {
            await SnapshotWaiting.EventuallyAsync(async () => await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE id > @p0", auditBefore) >= total,
                TimeSpan.FromSeconds(30), $"{total} audit records from the fuzz run");
        }
        catch (Xunit.Sdk.FailException)
        {
            // Fewer records than calls: the audit test names the actions that lost them.
        }
        var written = await AuditsByActionAsync(api, auditBefore);
        return new FuzzRun(seed, outcomes, elapsed, expected, written);
    }

    /// <summary>Requests per RPC and the count of each status returned, as a fixed-width table.</summary>
    public string Table() => Table("RPC", o => o.Rpc);

    /// <summary>The same by caller, with the scene's parties as one row: shows what each kind of identity gets.</summary>
    public string CallerTable() => Table("Caller", o => o.CallerKind);

    /// <summary>The payloads at and past the size limits, one line each.</summary>
    public string BulkOutcomes() => string.Join("\n", Outcomes.Where(o => o.Case.Rpc.ToString().StartsWith("Bulk", StringComparison.Ordinal))
        .OrderBy(o => o.Case.Rpc).Select(o => $"{o.Case.Rpc} -> {o.Code}{(o.Detail.Length > 0 ? $": {o.Detail}" : "")}"));

    private string Table(string header, Func<FuzzOutcome, string> rowKey)
    {
        var codes = Outcomes.Select(o => o.Code).Distinct().Order().ToList();
        var rows = Outcomes.GroupBy(rowKey).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Calls: g.Count(), ByCode: codes.Select(c => g.Count(o => o.Code == c)).ToList()))
            .Append((Key: "TOTAL", Calls: Outcomes.Count, ByCode: codes.Select(c => Outcomes.Count(o => o.Code == c)).ToList()))
            .ToList();
        var keyWidth = Math.Max(header.Length, rows.Max(r => r.Key.Length));
        var widths = codes.Select(c => Math.Max(c.ToString().Length, 5)).ToList();
        var sb = new StringBuilder();
        void Line(string key, string calls, IEnumerable<string> cells) =>
            sb.Append(key.PadRight(keyWidth)).Append(" | ").Append(calls.PadLeft(6)).Append(" | ")
              .AppendJoin(" | ", cells.Select((cell, i) => cell.PadLeft(widths[i]))).AppendLine();
        Line(header, "calls", codes.Select(c => c.ToString()));
        sb.AppendLine(new string('-', keyWidth + 9 + widths.Sum(w => w + 3)));
        foreach (var (key, calls, byCode) in rows)
            Line(key, calls.ToString(CultureInfo.InvariantCulture), byCode.Select(n => n == 0 ? "." : n.ToString(CultureInfo.InvariantCulture)));
        return sb.ToString();
    }

    public string Summary() =>
        $"Seed {Seed} (set STS_FUZZ_SEED to try another): {Outcomes.Count} requests, {InFlight} in flight, in {Elapsed.TotalSeconds:F1} s.";

    private static async Task<FuzzOutcome> SendAsync(FuzzCase c, FuzzCall call)
    {
        StatusCode code;
        string detail;
        try
        {
            await call.Send();
            (code, detail) = (StatusCode.OK, "");
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            // A status the client made up (it never heard from the server) carries the exception behind it.
            detail = ex.Status.DebugException is { } local ? $"{ex.Status.Detail} [client-side {local.GetType().Name}: {local.Message}]" : ex.Status.Detail;
        }
        var worthReading = code is StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss or StatusCode.Unavailable;
        return new FuzzOutcome(c, call.Rpc, call.Action, call.Caller, call.Readable, code, Shorten(detail), worthReading ? call.Describe() : null);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private static async Task<IReadOnlyDictionary<string, long>> AuditsByActionAsync(ApiFixture api, long after)
    {
        var text = await api.ScalarAsync<string>(
            "SELECT coalesce(string_agg(action || '=' || n, ';'), '') FROM (SELECT action, count(*) AS n FROM audit_log WHERE id > @p0 GROUP BY action) counts",
            after) ?? "";
        return text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
    }
}
