using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.Chaos;

/// <summary>
/// One run: sandbox, services, rooms, the create stream under scheduled faults, the settle wait, the checker and
/// the report. Whatever happens, the children are killed, the infrastructure is left up, and the database and
/// vhost are dropped.
/// </summary>
public sealed class ChaosRun(ChaosOptions options) : IAsyncDisposable
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly InfraScript _infra = new(options.InfraScript);
    private readonly Sandbox _sandbox = Sandbox.For(options);
    private Cluster? _cluster;
    private RunDatabase? _db;
    private bool _cleanedUp;
    private bool _keepFiles = options.Keep;

    public async Task<int> ExecuteAsync()
    {
        _stop.CancelAfter(options.Budget);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        var ct = _stop.Token;
        Say($"seed {options.Seed}, {options.Creates} creates, {options.ApiReplicas} API replica(s), 2 workers, {options.Concurrency} in flight, budget {options.Budget.TotalSeconds:F0} s");
        Say($"storage {options.Storage}, {options.QueueType} queues");
        Say($"repo {options.RepoRoot}; infra {options.InfraScript}; work folder {_sandbox.WorkDir}");
        try
        {
            try
            {
                await _sandbox.CreateAsync(ct);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or HttpRequestException or TimeoutException
                                           or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException)
            {
                Console.Error.WriteLine($"chaos: cannot set up the sandbox ({ex.Message}); is the infrastructure up (scripts/infra.sh up) and its environment exported?");
                return 2;
            }
            Say($"database {_sandbox.DatabaseName}, vhost {_sandbox.VirtualHost}{(options.UsesS3 ? $", bucket {_sandbox.Bucket}" : "")}");
            return await RunAsync(ct);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _keepFiles = true;
            Console.Error.WriteLine($"chaos: stopped after {_clock.Elapsed.TotalSeconds:F0} s (budget {options.Budget.TotalSeconds:F0} s, or interrupted); logs kept in {_sandbox.LogDir}");
            return 3;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or RpcException or FileNotFoundException)
        {
            _keepFiles = true;
            Console.Error.WriteLine($"chaos: run aborted: {ex.Message}");
            Console.Error.WriteLine($"chaos: logs kept in {_sandbox.LogDir}");
            return ex is FileNotFoundException ? 2 : 1;
        }
        finally
        {
            await CleanUpAsync();
        }
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        _db = new RunDatabase(_sandbox.Postgres);
        var identities = new Identities(_sandbox.SigningKey);
        _cluster = new Cluster(options, _sandbox);
        var startWatch = Stopwatch.StartNew();
        await _cluster.StartAsync(ct);
        Say($"services ready in {startWatch.Elapsed.TotalSeconds:F1} s: {string.Join(", ", _cluster.Apis.Select(a => $"{a.Name} pid {a.Process.Pid}").Concat(_cluster.Workers.Select(w => $"{w.Name} pid {w.Process.Pid}")))}");

        var api = _cluster.Apis[0];
        foreach (var room in ChaosRooms.All())
            await api.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, identities.Platform, DateTime.UtcNow.AddSeconds(30), ct);
        Say($"rooms: {string.Join(", ", ChaosRooms.Shapes.Select(s => $"{s.Id} ({s.Documents} documents, {s.Activities} activities)"))}");

        var schedule = new ChaosSchedule(identities);
        await schedule.StartAsync(api, ct);
        Say($"schedule: every {ChaosSchedule.Interval.TotalSeconds:F0} s on {ChaosRooms.Shapes[0].Id}, run by every replica until the load is done");

        using var load = new LoadDriver(_cluster, identities, options, _clock);
        var plan = new FaultPlan(options, _cluster, load, _infra, _sandbox, _db, _clock);
        var phases = plan.Phases();
        var loadWatch = Stopwatch.StartNew();
        await DriveAsync(phases, plan, load, ct);
        await load.DrainAsync();
        Say($"all {load.Records.Count} creates answered after {loadWatch.Elapsed.TotalSeconds:F1} s of load");

        await RestartCrashedAsync(plan, "settle", ct);
        await schedule.PauseAsync(_cluster, ct);
        var settled = await SettleAsync(ct);

        var checker = new Checker(_db, _sandbox.Store, options.UsesS3 ? null : _sandbox.StorageRoot);
        await schedule.CheckAsync(_db, ct);
        var creates = load.Records.Concat(schedule.Records(load.Records.Count + 1)).OrderBy(r => r.Number).ToList();
        await checker.RunAsync(creates, ct);
        phases = [.. phases, new Phase(ChaosSchedule.Phase, "an interval schedule through every phase", 0, TimeSpan.Zero, null, (_, _) => Task.CompletedTask)];
        var chain = await (await _cluster.AnyReadyApiAsync(ct)).Audit.VerifyAuditChainAsync(
            new VerifyAuditChainRequest(), identities.Admin, DateTime.UtcNow.AddSeconds(60), ct);

        Console.WriteLine();
        Console.WriteLine(Report.Table(phases, creates, checker.Results));
        PrintEvidence(phases, plan, load, checker, chain, settled);
        Console.WriteLine(schedule.Summary());

        var broken = checker.Results.Count(r => r.Verdict is Verdict.Lost or Verdict.Stuck or Verdict.Duplicated or Verdict.Corrupt);
        // A graceful restart is not a failure of anything: no snapshot may fail for it, and every stop must be clean.
        var failedInRollingRestart = checker.Results.Count(r => r.Verdict == Verdict.Failed && r.Create.Phase == "rolling-restart");
        foreach (var stop in plan.UngracefulStops) Console.WriteLine($"UNGRACEFUL STOP: {stop}");
        if (failedInRollingRestart > 0) Console.WriteLine($"FAILED during the rolling restart: {failedInRollingRestart} snapshot(s)");
        if (!schedule.Held) Console.WriteLine("SCHEDULE: a slot ran twice, left a silent gap, or was not audited (see the schedule line above)");
        var passed = broken == 0 && chain.Valid && plan.UngracefulStops.Count == 0 && failedInRollingRestart == 0 && schedule.Held;
        Say(passed ? "PASS: nothing lost, stuck, duplicated or corrupt; no slot ran twice or went unrecorded; every SIGTERM stop was clean; the audit chain verifies" : "FAIL: see above");
        if (!passed) _keepFiles = true;
        return passed ? 0 : 1;
    }

    private async Task DriveAsync(IReadOnlyList<Phase> phases, FaultPlan plan, LoadDriver load, CancellationToken ct)
    {
        var totalReps = phases.Sum(p => p.Repetitions);
        var issued = 0;
        var repsDone = 0;
        foreach (var phase in phases)
        {
            Say($"phase {phase.Name}: {phase.Fault} x{phase.Repetitions}");
            if (phase.Setup is not null) await phase.Setup(ct);
            for (var rep = 0; rep < phase.Repetitions; rep++)
            {
                repsDone++;
                var quota = (int)((long)options.Creates * repsDone / totalReps) - issued;
                issued += quota;
                // At most four creates a second: two cores must keep up with the renders, or the settle wait becomes the test.
                var interval = quota > 0 ? TimeSpan.FromTicks(Math.Max((phase.NominalRepetition / quota).Ticks, MinInterval.Ticks)) : TimeSpan.Zero;
                var creates = load.IssueAsync(quota, interval, phase.Name, phase.Heavy, ct);
                await phase.Inject(rep, ct);
                await creates;
                await RestartCrashedAsync(plan, phase.Name, ct);
            }
        }
    }

    /// <summary>A service that exited without being killed here crashed on its own: a finding. It is restarted so the run can go on.</summary>
    private async Task RestartCrashedAsync(FaultPlan plan, string phase, CancellationToken ct)
    {
        foreach (var replica in _cluster!.Apis.Where(a => a.InService))
        {
            if (replica.Process.ExitedOnItsOwn is { } code)
            {
                plan.Events.Add(new FaultEvent(_clock.Elapsed.TotalSeconds, phase, $"UNEXPECTED: {replica.Name} exited on its own (code {code}); restarting"));
                Say($"UNEXPECTED: {replica.Name} exited on its own (code {code}); last lines:\n{replica.Process.Tail(20)}");
                await replica.StartAsync(ct);
            }
        }
        foreach (var worker in _cluster.Workers)
        {
            if (worker.Process.ExitedOnItsOwn is { } code)
            {
                plan.Events.Add(new FaultEvent(_clock.Elapsed.TotalSeconds, phase, $"UNEXPECTED: {worker.Name} exited on its own (code {code}); restarting"));
                Say($"UNEXPECTED: {worker.Name} exited on its own (code {code}); last lines:\n{worker.Process.Tail(20)}");
                await worker.StartAsync(ct);
            }
        }
    }

    /// <summary>Waits, within the settle time, until no snapshot is QUEUED or RUNNING; returns how long it took (null when it never got there).</summary>
    private async Task<TimeSpan?> SettleAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        long open;
        while ((open = await _db!.CountAsync("SELECT count(*) FROM snapshots WHERE status NOT IN ('completed', 'failed')", ct)) > 0)
        {
            if (watch.Elapsed > options.Settle)
            {
                Say($"settle: {open} snapshot(s) still unfinished after {options.Settle.TotalSeconds:F0} s");
                return null;
            }
            await Task.Delay(1000, ct);
        }
        Say($"settle: every snapshot finished {watch.Elapsed.TotalSeconds:F1} s after the last create was answered");
        return watch.Elapsed;
    }

    private void PrintEvidence(IReadOnlyList<Phase> phases, FaultPlan plan, LoadDriver load, Checker checker, VerifyAuditChainResponse chain, TimeSpan? settled)
    {
        var faults = plan.Events.Count(e => e.Injected);
        Console.WriteLine($"faults injected: {faults} ({string.Join(", ", phases.Where(p => p.Repetitions > 0 && p.Fault != "none").Select(p => $"{p.Name} x{p.Repetitions}"))})");
        Console.WriteLine($"audit chain: {(chain.Valid ? "valid" : "BROKEN")} ({chain.Checked} events{(chain.Valid ? "" : $"; first bad #{chain.FirstBadSequence}: {chain.Reason}")})");
        Console.WriteLine($"settled: {(settled is { } s ? $"{s.TotalSeconds:F1} s after the load" : $"NO, not within {options.Settle.TotalSeconds:F0} s")}");
        Console.WriteLine($"outbox: {checker.OutboxRows} rows, {checker.UnsentOutboxRows} unsent at the end; tasks re-queued by the reaper: {checker.TasksRetried}");
        Console.WriteLine($"error codes seen by the client (per attempt): {(load.ErrorsByCode.IsEmpty ? "none" : string.Join(", ", load.ErrorsByCode.OrderBy(e => e.Key).Select(e => $"{e.Key} x{e.Value}")))}");
        Console.WriteLine($"rows committed for creates the caller was told failed: {checker.UnclaimedRows.Count} ({string.Join(", ", checker.UnclaimedRows.GroupBy(r => r.Status).Select(g => $"{g.Key} {g.Count()}"))})");
        if (checker.TemporaryFiles.Count > 0) Console.WriteLine($"temporary files left by interrupted writes (not stored objects): {checker.TemporaryFiles.Count}");
        if (checker.OrphanFiles.Count > 0) Console.WriteLine($"stored files no snapshot claims: {checker.OrphanFiles.Count} (e.g. {checker.OrphanFiles[0]})");
        if (checker.Unaudited.Count > 0) Console.WriteLine($"terminal snapshots without a SnapshotCompleted/SnapshotFailed audit record: {checker.Unaudited.Count} (e.g. {checker.Unaudited[0]})");

        foreach (var group in checker.Results.Where(r => r.Verdict == Verdict.Failed).GroupBy(r => Shorten(r.Detail)))
            Console.WriteLine($"FAILED x{group.Count()}: {group.Key} (phases: {string.Join(", ", group.Select(g => g.Create.Phase).Distinct())}; e.g. {group.First().Create.SnapshotId})");
        foreach (var rejected in load.Records.Where(r => r.Outcome == CreateOutcome.Rejected).GroupBy(r => $"{r.LastError}: {Shorten(r.LastErrorDetail ?? "")}"))
            Console.WriteLine($"rejected x{rejected.Count()}: {rejected.Key} (phases: {string.Join(", ", rejected.Select(r => r.Phase).Distinct())})");
        foreach (var refused in load.Records.Where(r => r.Outcome == CreateOutcome.Refused).GroupBy(r => $"{r.LastError}: {Shorten(r.LastErrorDetail ?? "")}"))
            Console.WriteLine($"refused x{refused.Count()}: {refused.Key} (phases: {string.Join(", ", refused.Select(r => r.Phase).Distinct())})");
        foreach (var bad in checker.Results.Where(r => r.Verdict is Verdict.Lost or Verdict.Stuck or Verdict.Duplicated or Verdict.Corrupt).Take(30))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bad.Verdict.ToString().ToUpperInvariant()}: create #{bad.Create.Number} ({bad.Create.Phase}, issued at {bad.Create.IssuedAtSeconds:F1} s, {bad.Create.Type}, room {bad.Create.RoomId}, via {bad.Create.Replica}, {bad.Create.Attempts} attempt(s)) snapshot {bad.Create.SnapshotId} request_id {bad.Create.RequestId}: {bad.Detail}"));
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "...";

    private void Say(string message) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,7:F1}s] {message}"));

    private void Interrupt(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    private async Task CleanUpAsync()
    {
        if (_cleanedUp) return;
        _cleanedUp = true;
        _cluster?.Dispose();
        if (_db is not null) await _db.DisposeAsync();
        if (await _infra.EnsureUpAsync(CancellationToken.None) is { } note) Say(note);
        foreach (var problem in await _sandbox.DestroyAsync(_keepFiles)) Console.Error.WriteLine($"chaos: cleanup: {problem}");
        Say(_keepFiles
            ? $"cleaned up: services stopped, database and vhost dropped; files kept in {_sandbox.WorkDir}"
            : "cleaned up: services stopped, database, vhost and work folder removed");
    }

    public async ValueTask DisposeAsync()
    {
        await CleanUpAsync();
        _sandbox.Dispose();
        _stop.Dispose();
    }
}
