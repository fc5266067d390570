using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Schedules;

/// <summary>
/// Each replica's scheduler loop, every Schedules:PollInterval on the service's clock: claims due schedules (a short
/// lease, taken with FOR UPDATE SKIP LOCKED so replicas share the work), runs their slots, applies retention after
/// completed runs, and now and then the rooms' policies. The lease only spreads work; that a slot runs at most once is
/// the database's doing (<see cref="ScheduleFiring"/>).
/// </summary>
public sealed class ScheduleRunner(
    IDbContextFactory<StsDbContext> dbFactory, ScheduleFiring firing, ScheduleRetention retention, TimeProvider clock,
    IOptions<ScheduleOptions> options, ILogger<ScheduleRunner> logger) : BackgroundService
{
    private DateTimeOffset _nextRoomPass = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            logger.LogInformation("Schedules:Enabled is false: this replica runs no schedules");
            return;
        }
        // On the service's clock, so tests that move it drive this loop too. A tick that comes while a pass is under
        // way is kept and starts the next pass at once.
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (TransientFaults.IsTransient(ex))
                {
                    logger.LogWarning("Scheduler pass cut short: {Error}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; a claimed schedule's lease runs out and another replica takes it.
        }
    }

    /// <summary>One pass: every due slot this replica can claim, then retention. Returns how many slots ran.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var ran = 0;
        List<ScheduleRow> claimed;
        do
        {
            claimed = await ClaimDueAsync(ct);
            foreach (var schedule in claimed)
            {
                if (await firing.FireAsync(schedule, ct) == FireOutcome.Created) ran++;
            }
        }
        while (claimed.Count == options.Value.BatchSize);

        await retention.RunForCompletedRunsAsync(ct);
        if (clock.GetUtcNow() >= _nextRoomPass)
        {
            _nextRoomPass = clock.GetUtcNow() + options.Value.RoomRetentionInterval;
            await retention.RunRoomPoliciesAsync(ct);
        }
        return ran;
    }

    private async Task<List<ScheduleRow>> ClaimDueAsync(CancellationToken ct)
    {
        var now = clock.StoredNow();
        var until = now + options.Value.Lease;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Schedules.FromSql($"""
            UPDATE schedules s SET lease_until = {until}, lease_owner = {firing.Replica}
            FROM (SELECT id FROM schedules
                  WHERE NOT paused AND next_due_at <= {now} AND (lease_until IS NULL OR lease_until <= {now})
                  ORDER BY next_due_at LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED) due
            WHERE s.id = due.id
            RETURNING s.*
            """).AsNoTracking().ToListAsync(ct);
    }
}
