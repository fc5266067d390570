using Microsoft.EntityFrameworkCore;
using Sts.Shared.Text;
using Sts.SnapshotApi.Admin;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Outbox;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Schedules;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Data;

/// <summary>The service's PostgreSQL store and unit of work.</summary>
public sealed class StsDbContext(DbContextOptions<StsDbContext> options) : DbContext(options)
{
    public DbSet<RoomRow> Rooms => Set<RoomRow>();
    public DbSet<VesselRow> Vessels => Set<VesselRow>();
    public DbSet<PartyRow> Parties => Set<PartyRow>();
    public DbSet<DocumentRow> Documents => Set<DocumentRow>();
    public DbSet<ApprovalRow> Approvals => Set<ApprovalRow>();
    public DbSet<ActivityRow> Activities => Set<ActivityRow>();
    public DbSet<SnapshotRow> Snapshots => Set<SnapshotRow>();
    public DbSet<SnapshotStateRow> SnapshotStates => Set<SnapshotStateRow>();
    public DbSet<TaskRow> Tasks => Set<TaskRow>();
    public DbSet<AuditRow> AuditLog => Set<AuditRow>();
    public DbSet<OutboxRow> Outbox => Set<OutboxRow>();
    public DbSet<WorkerStatsRow> WorkerStats => Set<WorkerStatsRow>();
    public DbSet<ScheduleRow> Schedules => Set<ScheduleRow>();
    public DbSet<ScheduleSlotRow> ScheduleSlots => Set<ScheduleSlotRow>();
    public DbSet<RoomRetentionRow> RoomRetention => Set<RoomRetentionRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(StsDbContext).Assembly);

        // Columns in snake_case, so that hand-written SQL and psql sessions read naturally.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase.From(property.Name));
    }
}
