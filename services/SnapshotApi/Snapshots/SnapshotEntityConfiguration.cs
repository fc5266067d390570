using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rooms;

namespace Sts.SnapshotApi.Snapshots;

internal sealed class SnapshotEntityConfiguration :
    IEntityTypeConfiguration<SnapshotRow>, IEntityTypeConfiguration<SnapshotStateRow>, IEntityTypeConfiguration<TaskRow>
{
    public void Configure(EntityTypeBuilder<SnapshotRow> b)
    {
        b.ToTable("snapshots");
        b.HasKey(s => s.Id);
        b.Property(s => s.Status).HasConversion<EnumText<SnapshotStatus>>();
        b.Property(s => s.SnapshotType).HasConversion<EnumText<SnapshotType>>();
        b.Property(s => s.Options).HasColumnType("jsonb");
        b.HasOne<RoomRow>().WithMany().HasForeignKey(s => s.RoomId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<SnapshotStateRow>().WithOne().HasForeignKey<SnapshotStateRow>(s => s.Id);
        b.HasIndex(s => s.RoomId);
        b.HasIndex(s => s.CreatedBy);
        b.HasIndex(s => s.Status);
        b.HasIndex(s => new { s.RoomId, s.CreatedAt, s.Id }).IsDescending(false, true, true);
        // AIP-155: a request id is unique per caller.
        b.HasIndex(s => new { s.CreatedBy, s.RequestId }).IsUnique().HasFilter("request_id IS NOT NULL");
    }

    public void Configure(EntityTypeBuilder<SnapshotStateRow> b)
    {
        b.ToTable("snapshots");
        b.HasKey(s => s.Id);
    }

    public void Configure(EntityTypeBuilder<TaskRow> b)
    {
        b.ToTable("tasks");
        b.HasKey(t => t.Id);
        b.Property(t => t.Status).HasConversion<EnumText<SnapshotTaskStatus>>();
        b.HasOne<SnapshotRow>().WithOne().HasForeignKey<TaskRow>(t => t.SnapshotId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(t => t.SnapshotId).IsUnique();
        b.HasIndex(t => new { t.Status, t.UpdatedAt });
    }
}
