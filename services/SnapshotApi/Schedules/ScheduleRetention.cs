using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Schedules;

/// <summary>
/// Applies retention: a schedule's policy once its newest run's snapshot has COMPLETED (so a good snapshot newer than
/// anything deleted exists), and rooms' policies for manual snapshots on a timer. Deciding is <see cref="RetentionPlan"/>;
/// each deletion is conditional (held and unfinished snapshots stay whatever was read) and audited in its transaction.
/// Several replicas may run this at once: only the one whose delete took effect writes the record.
/// </summary>
public sealed partial class ScheduleRetention(
    IDbContextFactory<StsDbContext> dbFactory, SnapshotDeleter deleter, TimeProvider clock, IOptions<ScheduleOptions> options,
    ScheduleMetrics metrics, ILogger<ScheduleRetention> logger)
{
    /// <summary>The audit action of a deletion by retention.</summary>
    public const string AuditAction = "RetentionDeleted";

    /// <summary>Actor of deletions under a room's policy (a schedule's are its principal's).</summary>
    public const string RoomPolicyActor = "system:retention";

    private const int Batch = 20;

    /// <summary>Runs each schedule's policy whose newest run has completed since; returns the snapshots deleted.</summary>
    public async Task<int> RunForCompletedRunsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Claims and clears the marker in one statement, so each completed run triggers one pass on one replica.
        var schedules = await db.Schedules.FromSql($"""
            UPDATE schedules sc SET retention_snapshot_id = NULL
            FROM (SELECT sc2.id FROM schedules sc2 JOIN snapshots s ON s.id = sc2.retention_snapshot_id
                  WHERE s.status = 'completed' LIMIT {Batch} FOR UPDATE OF sc2 SKIP LOCKED) ready
            WHERE sc.id = ready.id
            RETURNING sc.*
            """).AsNoTracking().ToListAsync(ct);
        var deleted = 0;
        foreach (var schedule in schedules)
        {
            var candidates = await db.ScheduleSlots
                .Where(sl => sl.ScheduleId == schedule.Id)
                .Join(db.Snapshots, sl => sl.SnapshotId, s => (Guid?)s.Id, (_, s) => new RetentionCandidate(s.Id, s.Status, s.CreatedAt, s.LegalHoldAt != null))
                .ToListAsync(ct);
            var victims = RetentionPlan.Decide(candidates, schedule.KeepLast, schedule.MaxAge, clock.GetUtcNow());
            var owner = schedule.Id.ToString("D");
            var count = await DeleteAsync(db, victims, schedule.Principal, schedule.RoomId, "schedule", owner, ct);
            metrics.RetentionDeleted("schedule", count);
            if (victims.Count > 0) Applied(logger, "schedule", owner, count, candidates.Count - count);
            deleted += count;
        }
        return deleted;
    }

    /// <summary>Runs every room's policy for manual snapshots, and drops slot records whose snapshot is long gone; returns the snapshots deleted.</summary>
    public async Task<int> RunRoomPoliciesAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var deleted = 0;
        foreach (var policy in await db.RoomRetention.AsNoTracking().ToListAsync(ct))
        {
            // Manual: no slot of any schedule made it.
            var candidates = await db.Snapshots
                .Where(s => s.RoomId == policy.RoomId && !db.ScheduleSlots.Any(sl => sl.SnapshotId == s.Id))
                .Select(s => new RetentionCandidate(s.Id, s.Status, s.CreatedAt, s.LegalHoldAt != null))
                .ToListAsync(ct);
            var victims = RetentionPlan.Decide(candidates, keepLast: null, policy.ManualMaxAge, now);
            var count = await DeleteAsync(db, victims, RoomPolicyActor, policy.RoomId, "room", policy.RoomId, ct);
            metrics.RetentionDeleted("room", count);
            if (victims.Count > 0) Applied(logger, "room", policy.RoomId, count, candidates.Count - count);
            deleted += count;
        }
        var history = now - options.Value.SlotHistory;
        await db.ScheduleSlots.Where(sl => sl.SnapshotId == null && sl.FiredAt < history).ExecuteDeleteAsync(ct);
        return deleted;
    }

    private async Task<int> DeleteAsync(
        StsDbContext db, IReadOnlyList<RetentionVictim> victims, string actor, string roomId, string policy, string owner, CancellationToken ct)
    {
        var deleted = 0;
        foreach (var victim in victims)
        {
            var audit = new AuditEntry(actor, AuditAction, roomId, victim.Id, "ok", new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["policy"] = policy, [policy == "schedule" ? "schedule_id" : "room_id"] = owner, ["rule"] = victim.Rule,
            });
            // Anything else was held, or deleted by someone else, between the plan and the delete: nothing to count.
            if (await deleter.DeleteAsync(db, victim.Id, audit, ct) is DeleteOutcome.Deleted) deleted++;
        }
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention ({Policy} {Owner}) deleted {Deleted} snapshots; {Kept} kept")]
    private static partial void Applied(ILogger logger, string policy, string owner, int deleted, int kept);
}
