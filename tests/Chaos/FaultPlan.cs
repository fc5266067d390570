using System.Diagnostics;
using System.Globalization;

namespace Sts.Chaos;

/// <summary>One stretch of the run: a fault repeated a few times while its share of the creates is issued.</summary>
/// <remarks>A heavy phase sends mostly PDFs of the largest room, so that a fault finds renders under way.</remarks>
public sealed record Phase(string Name, string Fault, int Repetitions, TimeSpan NominalRepetition, Func<CancellationToken, Task>? Setup, Func<int, CancellationToken, Task> Inject, bool Heavy = false);

/// <summary>What was done to the system, when, and what was seen at that moment.</summary>
/// <param name="Injected">A fault itself (a kill, a stop, a restart), as opposed to what was seen around it.</param>
public sealed record FaultEvent(double AtSeconds, string Phase, string What, bool Injected = false);

/// <summary>The schedule of faults and how each is injected.</summary>
public sealed class FaultPlan(ChaosOptions options, Cluster cluster, LoadDriver load, InfraScript infra, Sandbox sandbox, RunDatabase db, Stopwatch clock)
{
    private const string GenerateQueue = "generate-snapshot";
    private static readonly TimeSpan InfraTimeout = TimeSpan.FromSeconds(150);

    /// <summary>The grace period a rolling restart gives each process, as deploy/k8s does for the worker.</summary>
    public static readonly TimeSpan GraceTimeout = TimeSpan.FromSeconds(90);

    public List<FaultEvent> Events { get; } = [];

    /// <summary>Graceful stops that were not: a non-zero exit code, or no exit within the grace period.</summary>
    public List<string> UngracefulStops { get; } = [];

    public IReadOnlyList<Phase> Phases()
    {
        var n = options.LongForm ? 2 : 1;
        return
        [
            new("baseline", "none", 1, TimeSpan.FromSeconds(8), null, (_, _) => Task.CompletedTask),
            new("worker-kill", "kill -9 of a PdfWorker with renders in hand, restart 2 s later", 3 * n + (n - 1) * 2, TimeSpan.FromSeconds(7), null, KillWorkerAsync, Heavy: true),
            new("rabbit-stop", "rabbitmqctl stop_app, start_app 4 s later", 2 * n, TimeSpan.FromSeconds(12), null, StopRabbitAsync),
            new("pg-restart", "pg_ctl restart -m fast", 3 * n + (n - 1) * 2, TimeSpan.FromSeconds(7), null, RestartPostgresAsync),
            new("api-kill", "kill -9 of an API replica right after it answered a create, restart 1 s later", 3 * n + (n - 1) * 2, TimeSpan.FromSeconds(8), null, KillApiAsync),
            new("rolling-restart", $"SIGTERM each worker (renders in hand) then each API replica, one at a time, each restarted once it has exited; must exit 0 within {GraceTimeout.TotalSeconds:F0} s", n, TimeSpan.FromSeconds(20), null, RollingRestartAsync, Heavy: true),
            new("api-kill-outbox", $"one API replica, outbox poll {Cluster.LongPoll.TotalSeconds:F0} s; kill -9 right after a create, restart 1 s later", 3 * n, TimeSpan.FromSeconds(8), PrepareOutboxPhaseAsync, KillApiOutboxAsync),
        ];
    }

    private void Log(string phase, string what, bool injected = false)
    {
        var e = new FaultEvent(clock.Elapsed.TotalSeconds, phase, what, injected);
        lock (Events) Events.Add(e);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{e.AtSeconds,7:F1}s] {phase}: {what}"));
    }

    private async Task KillWorkerAsync(int rep, CancellationToken ct)
    {
        var worker = cluster.Workers[rep % cluster.Workers.Count];
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        // Wait (up to 8 s) until a render is under way and messages are in a worker's hands, so the kill lands mid-render.
        (long Ready, long Unacked)? depth = null;
        long running = 0;
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(8);)
        {
            running = await db.CountAsync("SELECT count(*) FROM snapshots WHERE status = 'running'", ct);
            if (running > 0 && (depth = await sandbox.QueueDepthAsync(GenerateQueue, ct)) is { Unacked: > 0 }) break;
            await Task.Delay(25, ct);
        }
        var pid = worker.Process.Kill();
        Log("worker-kill", $"kill -9 {worker.Name} (pid {pid}); queue unacked {depth?.Unacked.ToString(CultureInfo.InvariantCulture) ?? "?"}, ready {depth?.Ready.ToString(CultureInfo.InvariantCulture) ?? "?"}, snapshots running {running}", injected: true);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var took = await worker.StartAsync(ct);
        Log("worker-kill", $"{worker.Name} restarted, ready in {took.TotalSeconds:F1} s");
    }

    private async Task StopRabbitAsync(int rep, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var watch = Stopwatch.StartNew();
        await infra.RequireAsync("rabbit-stop-app", InfraTimeout, ct);
        Log("rabbit-stop", $"rabbit-stop-app done ({watch.Elapsed.TotalSeconds:F1} s)", injected: true);
        await Task.Delay(TimeSpan.FromSeconds(4), ct);
        watch.Restart();
        await infra.RequireAsync("rabbit-start-app", InfraTimeout, ct);
        Log("rabbit-stop", $"rabbit-start-app done ({watch.Elapsed.TotalSeconds:F1} s)");
        var took = await cluster.WaitAllReadyAsync(ct);
        Log("rabbit-stop", $"all services ready again {took.TotalSeconds:F1} s later");
    }

    private async Task RestartPostgresAsync(int rep, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var unsent = await db.CountAsync("SELECT count(*) FROM outbox WHERE sent_at IS NULL", ct);
        var watch = Stopwatch.StartNew();
        await infra.RequireAsync("pg-restart", InfraTimeout, ct);
        Log("pg-restart", $"pg-restart done ({watch.Elapsed.TotalSeconds:F1} s; unsent outbox rows just before: {unsent})", injected: true);
        var took = await cluster.WaitAllReadyAsync(ct);
        Log("pg-restart", $"all services ready again {took.TotalSeconds:F1} s later");
    }

    private async Task RollingRestartAsync(int rep, CancellationToken ct)
    {
        foreach (var worker in cluster.Workers)
        {
            // A burst of slow renders, and the stop as soon as one is under way, so the worker has work in hand.
            await load.IssueHeavyAsync(4, "rolling-restart", ct);
            var running = 0L;
            for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(10) && running == 0;)
            {
                running = await db.CountAsync($"SELECT count(*) FROM snapshots WHERE status = 'running' AND room_id = '{ChaosRooms.Heavy.Id}'", ct);
                if (running == 0) await Task.Delay(10, ct);
            }
            var depth = await sandbox.QueueDepthAsync(GenerateQueue, ct);
            await TerminateAsync(worker.Process, $"snapshots running {running}, queue unacked {depth?.Unacked.ToString(CultureInfo.InvariantCulture) ?? "?"}, ready {depth?.Ready.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            var took = await worker.StartAsync(ct);
            Log("rolling-restart", $"{worker.Name} started again, ready in {took.TotalSeconds:F1} s");
        }
        foreach (var api in cluster.Apis.Where(a => a.InService))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var unsent = await db.CountAsync("SELECT count(*) FROM outbox WHERE sent_at IS NULL", ct);
            await TerminateAsync(api.Process, $"unsent outbox rows {unsent}");
            var took = await api.StartAsync(ct);
            Log("rolling-restart", $"{api.Name} started again, ready in {took.TotalSeconds:F1} s");
        }
    }

    private async Task TerminateAsync(ServiceProcess process, string state)
    {
        var (pid, code, took) = await process.TerminateAsync(GraceTimeout);
        // The worker logs what the stop found and what it left (PdfWorkerHost.LogShutdown).
        var said = process.Tail(40).Split('\n').Where(l => l.Contains("Stopping:", StringComparison.Ordinal) || l.Contains("Stopped:", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..].Trim()).TakeLast(2);
        var outcome = code is { } c ? $"exited with code {c} after {took.TotalSeconds:F1} s" : $"did not exit within {GraceTimeout.TotalSeconds:F0} s and was killed";
        Log("rolling-restart", $"SIGTERM {process.Name} (pid {pid}; {state}): {outcome}{(said.Any() ? "; it said: " + string.Join(" / ", said) : "")}", injected: true);
        if (code != 0) lock (UngracefulStops) UngracefulStops.Add($"{process.Name}: {outcome}");
    }

    private Task KillApiAsync(int rep, CancellationToken ct) =>
        KillApiAfterCreateAsync("api-kill", cluster.Apis[rep % cluster.Apis.Count], ct);

    private async Task PrepareOutboxPhaseAsync(CancellationToken ct)
    {
        var target = cluster.Apis[0];
        foreach (var other in cluster.Apis.Skip(1))
        {
            other.InService = false;
            Log("api-kill-outbox", $"setup: {other.Name} taken out of service (pid {other.Process.Kill()})");
        }
        Cluster.SetPollInterval(target.Process, Cluster.LongPoll);
        var pid = target.Process.Kill();
        var took = await target.StartAsync(ct);
        Log("api-kill-outbox", $"setup: {target.Name} (pid {pid}) restarted with Outbox__PollInterval={Cluster.LongPoll.TotalSeconds:F0}s, ready in {took.TotalSeconds:F1} s");
    }

    private Task KillApiOutboxAsync(int rep, CancellationToken ct) => KillApiAfterCreateAsync("api-kill-outbox", cluster.Apis[0], ct);

    private async Task KillApiAfterCreateAsync(string phase, ApiReplica target, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var accepted = load.NextAcceptedByAsync(target);
        var winner = await Task.WhenAny(accepted, Task.Delay(TimeSpan.FromSeconds(15), ct));
        if (winner != accepted) load.StopWaitingFor(target);
        // Between commit and publish is the window that matters: kill at once, before the relay has had its turn.
        var pid = target.Process.Kill();
        var trigger = accepted.IsCompletedSuccessfully ? $"right after it answered create #{accepted.Result.Number}" : "(no create answered within 15 s)";
        var unsent = await db.CountAsync("SELECT count(*) FROM outbox WHERE sent_at IS NULL", ct);
        var running = await db.CountAsync("SELECT count(*) FROM snapshots WHERE status IN ('queued', 'running')", ct);
        Log(phase, $"kill -9 {target.Name} (pid {pid}) {trigger}; unsent outbox rows {unsent}, snapshots not finished {running}", injected: true);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var took = await target.StartAsync(ct);
        Log(phase, $"{target.Name} restarted, ready in {took.TotalSeconds:F1} s");
    }
}
