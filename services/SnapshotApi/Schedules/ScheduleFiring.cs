using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Schedules;

/// <summary>What became of one attempt to run a schedule's due slot.</summary>
public enum FireOutcome
{
    /// <summary>Nothing was due (the schedule was read before its slot, or already advanced).</summary>
    NotDue,
    /// <summary>The slot's snapshot committed, with the slot record and the schedule's next due time.</summary>
    Created,
    /// <summary>Backpressure: the slot waits for the backlog to drain and is tried again, still as the same slot.</summary>
    Busy,
    /// <summary>Another replica ran the slot first, or the schedule was paused, changed or deleted meanwhile: nothing committed.</summary>
    Superseded,
    /// <summary>A fault; nothing committed, and the slot is tried again once the lease runs out.</summary>
    Failed,
}

/// <summary>
/// Runs one schedule's due slot: a snapshot made by the schedule's principal with priority SCHEDULED, committed in
/// the same transaction as the slot record (unique per schedule and due time) and the schedule's advance to its next
/// slot, which commits only if the schedule still stands where this run read it. So a slot yields at most one snapshot
/// whatever the number of replicas, leases or retries.
/// </summary>
public sealed partial class ScheduleFiring(IServiceScopeFactory scopes, TimeProvider clock, ScheduleMetrics metrics, ILogger<ScheduleFiring> logger)
{
    /// <summary>The audit action of a scheduled snapshot's creation; the actor is the schedule's principal.</summary>
    public const string AuditAction = "ScheduleRun";

    /// <summary>Names this process in slot records and leases.</summary>
    public string Replica { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    /// <param name="schedule">The schedule as read (a claim's result); it is attached and advanced when the slot runs.</param>
    public async Task<FireOutcome> FireAsync(ScheduleRow schedule, CancellationToken ct)
    {
        try
        {
            return await RunDueSlotAsync(schedule, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Nothing committed. One schedule's fault must not stop the others; its lease runs out and it is tried again.
            metrics.Ran("failed");
            if (TransientFaults.IsTransient(ex)) logger.LogWarning("Schedule {ScheduleId} could not run its slot: {Error}", schedule.Id, ex.Message);
            else logger.LogError(ex, "Schedule {ScheduleId} could not run its slot", schedule.Id);
            return FireOutcome.Failed;
        }
    }

    private async Task<FireOutcome> RunDueSlotAsync(ScheduleRow schedule, CancellationToken ct)
    {
        var now = clock.StoredNow();
        var timing = ScheduleTiming.Of(schedule);
        if (timing.Due(schedule.NextDueAt, now) is not { } due) return FireOutcome.NotDue;
        var following = due.Following ?? throw new InvalidOperationException($"Schedule {schedule.Id} has no slot after {due.Slot:O}.");

        await using var scope = scopes.CreateAsyncScope();
        var creator = scope.ServiceProvider.GetRequiredService<SnapshotCreator>();
        var zone = ScheduleTiming.FindZone(schedule.TimeZone) ?? TimeZoneInfo.Utc;
        var title = TitleTemplate.Render(schedule.TitleTemplate, schedule.RoomId, TimeZoneInfo.ConvertTime(due.Slot, zone));
        var request = new NewSnapshot(schedule.RoomId, title, schedule.SnapshotType, ScheduleMapping.Options(schedule), schedule.Principal, RequestId: null, Scheduled: true);
        var detail = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["schedule_id"] = schedule.Id.ToString("D"),
            ["slot"] = due.Slot.ToString("O"),
            ["skipped_slots"] = due.Skipped.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["replica"] = Replica,
        };
        var previousDue = schedule.NextDueAt;
        CreateOutcome outcome;
        try
        {
            outcome = await creator.CreateAsync(request,
                snapshotId => new AuditEntry(schedule.Principal, AuditAction, schedule.RoomId, snapshotId, "ok", detail),
                detail, ct, (db, snapshot) => Advance(db, schedule, due, following, snapshot, now));
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            metrics.Ran("superseded");
            Superseded(logger, schedule.Id, due.Slot);
            return FireOutcome.Superseded;
        }

        switch (outcome)
        {
            case CreateOutcome.Created created:
                metrics.Created(now - due.Slot, due.Skipped);
                Ran(logger, schedule.Id, due.Slot, created.Snapshot.Id, due.Skipped, now - due.Slot);
                return FireOutcome.Created;
            case CreateOutcome.Busy busy:
                // Keep the slot (next_due_at stays) and hold the schedule until the backlog may have drained.
                await using (var db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<StsDbContext>>().CreateDbContext())
                {
                    var until = now + busy.RetryAfter;
                    await db.Schedules.Where(s => s.Id == schedule.Id && s.NextDueAt == previousDue)
                        .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseUntil, until), ct);
                }
                metrics.Ran("busy");
                Delayed(logger, schedule.Id, due.Slot, busy.Pending, busy.RetryAfter);
                return FireOutcome.Busy;
            default:
                metrics.Ran("failed");
                logger.LogError("Schedule {ScheduleId} slot {Slot}: the snapshot was not created ({Outcome})", schedule.Id, due.Slot, outcome.GetType().Name);
                return FireOutcome.Failed;
        }
    }

    /// <summary>The slot record and the schedule's advance, saved with the snapshot or not at all.</summary>
    private void Advance(StsDbContext db, ScheduleRow schedule, DueSlots due, DateTimeOffset following, SnapshotRow snapshot, DateTimeOffset now)
    {
        db.ScheduleSlots.Add(new ScheduleSlotRow
        {
            ScheduleId = schedule.Id,
            DueAt = due.Slot,
            SnapshotId = snapshot.Id,
            FiredAt = now,
            SkippedSlots = (int)Math.Min(due.Skipped, int.MaxValue),
            FiredBy = Replica,
        });
        // Attached as read: the UPDATE is conditional on next_due_at and paused being unchanged (concurrency tokens).
        db.Schedules.Attach(schedule);
        schedule.NextDueAt = following;
        schedule.Period = following - due.Slot;
        schedule.LeaseUntil = null;
        schedule.LeaseOwner = null;
        schedule.Runs++;
        schedule.SkippedSlots += due.Skipped;
        schedule.LastDueAt = due.Slot;
        schedule.LastSnapshotId = snapshot.Id;
        schedule.RetentionSnapshotId = schedule.KeepLast is null && schedule.MaxAge is null ? null : snapshot.Id;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} ran slot {Slot}: snapshot {SnapshotId}, {Skipped} earlier slots skipped, {Lag} late")]
    private static partial void Ran(ILogger logger, Guid scheduleId, DateTimeOffset slot, Guid snapshotId, long skipped, TimeSpan lag);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule {ScheduleId} slot {Slot} was run elsewhere or the schedule changed; nothing committed here")]
    private static partial void Superseded(ILogger logger, Guid scheduleId, DateTimeOffset slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} slot {Slot} waits: {Pending} snapshots pending (backpressure); trying again in {RetryAfter}")]
    private static partial void Delayed(ILogger logger, Guid scheduleId, DateTimeOffset slot, long pending, TimeSpan retryAfter);
}
