using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Snapshots;

namespace Sts.SnapshotApi.Schedules;

internal sealed class ScheduleEntityConfiguration :
    IEntityTypeConfiguration<ScheduleRow>, IEntityTypeConfiguration<ScheduleSlotRow>, IEntityTypeConfiguration<RoomRetentionRow>
{
    public void Configure(EntityTypeBuilder<ScheduleRow> b)
    {
        b.ToTable("schedules");
        b.HasKey(s => s.Id);
        b.Property(s => s.SnapshotType).HasConversion<EnumText<SnapshotType>>();
        b.Property(s => s.Options).HasColumnType("jsonb");
        b.Property(s => s.NextDueAt).IsConcurrencyToken();
        b.Property(s => s.Paused).IsConcurrencyToken();
        b.HasOne<RoomRow>().WithMany().HasForeignKey(s => s.RoomId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<SnapshotRow>().WithMany().HasForeignKey(s => s.LastSnapshotId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<SnapshotRow>().WithMany().HasForeignKey(s => s.RetentionSnapshotId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(s => new { s.RoomId, s.CreatedAt, s.Id });
        // The runners' question every poll: which schedules are due.
        b.HasIndex(s => s.NextDueAt).HasFilter("NOT paused");
    }

    public void Configure(EntityTypeBuilder<ScheduleSlotRow> b)
    {
        b.ToTable("schedule_slots");
        // The exactly-once guarantee: one row per (schedule, due time), committed with the slot's snapshot.
        b.HasKey(s => new { s.ScheduleId, s.DueAt });
        // No foreign key to schedules: the history, and its uniqueness, outlive a deleted schedule.
        b.HasOne<SnapshotRow>().WithMany().HasForeignKey(s => s.SnapshotId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(s => s.SnapshotId);
        b.HasIndex(s => s.FiredAt);
    }

    public void Configure(EntityTypeBuilder<RoomRetentionRow> b)
    {
        b.ToTable("room_retention");
        b.HasKey(r => r.RoomId);
        b.HasOne<RoomRow>().WithOne().HasForeignKey<RoomRetentionRow>(r => r.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}
