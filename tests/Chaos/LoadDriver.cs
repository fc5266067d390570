using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.Chaos;

/// <summary>How a create ended from the caller's point of view.</summary>
public enum CreateOutcome
{
    /// <summary>CreateSnapshot returned OK: the system now owes a COMPLETED or FAILED snapshot.</summary>
    Accepted,
    /// <summary>UNAVAILABLE or DEADLINE_EXCEEDED (or ABORTED, RESOURCE_EXHAUSTED) on every attempt: failed cleanly, the caller was told.</summary>
    Refused,
    /// <summary>Any other status: not retried, and a promise of its own (no input produces INTERNAL) may be broken.</summary>
    Rejected,
}

/// <summary>One CreateSnapshot as the client saw it.</summary>
public sealed class CreateRecord
{
    public required int Number { get; init; }
    public required string Phase { get; init; }
    public required string RequestId { get; init; }
    public required string RoomId { get; init; }
    public required SnapshotType Type { get; init; }
    public required double IssuedAtSeconds { get; init; }
    public CreateOutcome Outcome { get; set; }
    public Guid? SnapshotId { get; set; }
    public int Attempts { get; set; }
    public string? Replica { get; set; }
    public StatusCode? LastError { get; set; }
    public string? LastErrorDetail { get; set; }
}

/// <summary>
/// A stream of CreateSnapshot calls, as a real client makes them: bounded concurrency, a deadline on every
/// call, and retries with the SAME request_id (on the next replica) when the answer is UNAVAILABLE or
/// DEADLINE_EXCEEDED, so a create whose commit did happen is answered by replay rather than made twice.
/// </summary>
public sealed class LoadDriver(Cluster cluster, Identities identities, ChaosOptions options, Stopwatch clock) : IDisposable
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(5);
    private static readonly double[] BackoffSeconds = [0.5, 1, 2, 3, 4, 5];
    private static readonly StatusCode[] Retryable = [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Aborted, StatusCode.ResourceExhausted];

    private readonly Random _random = new(options.Seed);
    private readonly SemaphoreSlim _slots = new(options.Concurrency, options.Concurrency);
    private readonly List<Task> _inFlight = [];
    private readonly ConcurrentDictionary<int, TaskCompletionSource<CreateRecord>> _acceptWaiters = new();
    private readonly Metadata _creator = identities.Creator;
    private int _number;
    private int _roundRobin;

    public ConcurrentQueue<CreateRecord> Records { get; } = new();

    /// <summary>Every non-OK status any attempt got, by code.</summary>
    public ConcurrentDictionary<StatusCode, int> ErrorsByCode { get; } = new();

    /// <summary>Issues <paramref name="count"/> creates, one every <paramref name="interval"/> (slower when all slots are busy); returns once all are issued.</summary>
    /// <remarks>With <paramref name="heavy"/>, two in three are PDFs of the largest room, so renders are under way when a worker dies.</remarks>
    public async Task IssueAsync(int count, TimeSpan interval, string phase, bool heavy, CancellationToken ct)
    {
        var started = clock.Elapsed;
        for (var i = 0; i < count; i++)
        {
            var due = started + interval * i;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            await LaunchAsync(phase, heavy, pdfOfRoom: null, ct);
        }
    }

    /// <summary>Issues <paramref name="count"/> PDF creates of <see cref="ChaosRooms.Heavy"/> at once (as slots allow).</summary>
    public async Task IssueHeavyAsync(int count, string phase, CancellationToken ct)
    {
        for (var i = 0; i < count; i++) await LaunchAsync(phase, heavy: false, ChaosRooms.Heavy.Id, ct);
    }

    /// <summary>Takes a slot and starts one create, recorded before it is sent.</summary>
    private async Task LaunchAsync(string phase, bool heavy, string? pdfOfRoom, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        var record = Next(phase, heavy, pdfOfRoom);
        Records.Enqueue(record);
        var task = RunAsync(record, ct);
        lock (_inFlight) _inFlight.Add(task);
    }

    /// <summary>Completes as soon as the next create that <paramref name="replica"/> answers OK has returned to the caller.</summary>
    public Task<CreateRecord> NextAcceptedByAsync(ApiReplica replica) =>
        _acceptWaiters.GetOrAdd(replica.Index, _ => new TaskCompletionSource<CreateRecord>()).Task;

    public void StopWaitingFor(ApiReplica replica)
    {
        if (_acceptWaiters.TryRemove(replica.Index, out var waiter)) waiter.TrySetCanceled();
    }

    /// <summary>Waits for every issued create to finish, retries included.</summary>
    public async Task DrainAsync()
    {
        Task[] tasks;
        lock (_inFlight) tasks = [.. _inFlight];
        await Task.WhenAll(tasks);
    }

    private CreateRecord Next(string phase, bool heavy, string? pdfOfRoom = null)
    {
        lock (_random)
        {
            var shape = ChaosRooms.Shapes[_random.Next(ChaosRooms.Shapes.Length)];
            var roll = _random.Next(100);
            var type = roll < 50 ? SnapshotType.Pdf : roll < 75 ? SnapshotType.Json : SnapshotType.Csv;
            if (heavy && _random.Next(3) < 2) (shape, type) = (ChaosRooms.Shapes[^1], SnapshotType.Pdf);
            var roomId = pdfOfRoom ?? shape.Id;
            if (pdfOfRoom is not null) type = SnapshotType.Pdf;
            var bytes = new byte[16];
            _random.NextBytes(bytes);
            return new CreateRecord
            {
                Number = Interlocked.Increment(ref _number),
                Phase = phase,
                RequestId = new Guid(bytes).ToString("D"),
                RoomId = roomId,
                Type = type,
                IssuedAtSeconds = clock.Elapsed.TotalSeconds,
            };
        }
    }

    private double Jitter()
    {
        lock (_random) return 0.75 + (_random.NextDouble() / 2);
    }

    private async Task RunAsync(CreateRecord record, CancellationToken ct)
    {
        try
        {
            var request = new CreateSnapshotRequest
            {
                RoomId = record.RoomId,
                Title = $"Chaos #{record.Number} ({record.Phase})",
                Type = record.Type,
                RequestId = record.RequestId,
            };
            var first = Interlocked.Increment(ref _roundRobin);
            for (var attempt = 0; ; attempt++)
            {
                var replicas = cluster.Apis.Where(a => a.InService).ToList();
                var replica = replicas[(first + attempt) % replicas.Count];
                record.Attempts = attempt + 1;
                try
                {
                    var reply = await replica.Snapshots.CreateSnapshotAsync(request, _creator, DateTime.UtcNow + CallDeadline, ct);
                    record.Outcome = CreateOutcome.Accepted;
                    record.SnapshotId = Guid.Parse(reply.Snapshot.Id);
                    record.Replica = replica.Name;
                    if (_acceptWaiters.TryRemove(replica.Index, out var waiter)) waiter.TrySetResult(record);
                    return;
                }
                catch (RpcException ex) when (!ct.IsCancellationRequested)
                {
                    ErrorsByCode.AddOrUpdate(ex.StatusCode, 1, (_, n) => n + 1);
                    record.LastError = ex.StatusCode;
                    record.LastErrorDetail = ex.Status.Detail;
                    if (!Retryable.Contains(ex.StatusCode))
                    {
                        record.Outcome = CreateOutcome.Rejected;
                        return;
                    }
                    if (attempt >= BackoffSeconds.Length)
                    {
                        record.Outcome = CreateOutcome.Refused;
                        return;
                    }
                }
                await Task.Delay(TimeSpan.FromSeconds(BackoffSeconds[attempt] * Jitter()), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The run's budget ran out mid-retry; the caller never got an answer it could rely on.
            record.Outcome = CreateOutcome.Refused;
            record.LastErrorDetail ??= "run budget exhausted";
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
