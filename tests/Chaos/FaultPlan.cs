using System.Diagnostics;
using System.Globalization;

namespace Sts.Chaos;

/// <summary>One stretch of the run: a fault repeated a few times while its share of the creates is issued.</summary>
/// <remarks>A heavy phase sends mostly PDFs of the largest room, so that a fault finds renders under way.</remarks>
public sealed record Phase(string Name, string Fault, int Repetitions, TimeSpan NominalRepetition, Func<CancellationToken, Task>? Setup, Func<int, CancellationToken, Task> Inject, bool Heavy = false);

/// <summary>What was done to the system, when, and what was seen at that moment.</summary>
public sealed record FaultEvent(double AtSeconds, string Phase, string What);

/// <summary>The schedule of faults and how each is injected.</summary>
public sealed class FaultPlan(ChaosOptions options, Cluster cluster, LoadDriver load, InfraScript infra, Sandbox sandbox, RunDatabase db, Stopwatch clock)
{
    private const string GenerateQueue = "generate-snapshot";
    private static readonly TimeSpan InfraTimeout = TimeSpan.FromSeconds(150);

    public List<FaultEvent> Events { get; } = [];

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
            new("api-kill-outbox", $"one API replica, outbox poll {Cluster.LongPoll.TotalSeconds:F0} s; kill -9 right after a create, restart 1 s later", 3 * n, TimeSpan.FromSeconds(8), PrepareOutboxPhaseAsync, KillApiOutboxAsync),
        ];
    }

    private void Log(string phase, string what)
    {
        var e = new FaultEvent(clock.Elapsed.TotalSeconds, phase, what);
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
        Log("worker-kill", $"kill -9 {worker.Name} (pid {pid}); queue unacked {depth?.Unacked.ToString(CultureInfo.InvariantCulture) ?? "?"}, ready {depth?.Ready.ToString(CultureInfo.InvariantCulture) ?? "?"}, snapshots running {running}");
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var took = await worker.StartAsync(ct);
        Log("worker-kill", $"{worker.Name} restarted, ready in {took.TotalSeconds:F1} s");
    }

    private async Task StopRabbitAsync(int rep, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var watch = Stopwatch.StartNew();
        await infra.RequireAsync("rabbit-stop-app", InfraTimeout, ct);
        Log("rabbit-stop", $"rabbit-stop-app done ({watch.Elapsed.TotalSeconds:F1} s)");
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
        Log("pg-restart", $"pg-restart done ({watch.Elapsed.TotalSeconds:F1} s; unsent outbox rows just before: {unsent})");
        var took = await cluster.WaitAllReadyAsync(ct);
        Log("pg-restart", $"all services ready again {took.TotalSeconds:F1} s later");
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
        Log(phase, $"kill -9 {target.Name} (pid {pid}) {trigger}; unsent outbox rows {unsent}, snapshots not finished {running}");
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var took = await target.StartAsync(ct);
        Log(phase, $"{target.Name} restarted, ready in {took.TotalSeconds:F1} s");
    }
}
