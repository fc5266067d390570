using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sts.Api.V1;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Rooms;

internal sealed class RoomEntityConfiguration :
    IEntityTypeConfiguration<RoomRow>, IEntityTypeConfiguration<VesselRow>, IEntityTypeConfiguration<PartyRow>,
    IEntityTypeConfiguration<DocumentRow>, IEntityTypeConfiguration<ApprovalRow>, IEntityTypeConfiguration<ActivityRow>
{
    public void Configure(EntityTypeBuilder<RoomRow> b)
    {
        b.ToTable("rooms");
        b.HasKey(r => r.Id);
    }

    public void Configure(EntityTypeBuilder<VesselRow> b)
    {
        b.ToTable("room_vessels");
        b.HasKey(v => new { v.RoomId, v.Ordinal });
        b.Property(v => v.Role).HasConversion<EnumText<VesselRole>>();
        b.HasOne<RoomRow>().WithMany().HasForeignKey(v => v.RoomId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<PartyRow> b)
    {
        b.ToTable("room_parties");
        b.HasKey(p => new { p.RoomId, p.Email });
        b.HasIndex(p => p.Email);
        b.Property(p => p.Role).HasConversion<EnumText<PartyRole>>();
        b.HasOne<RoomRow>().WithMany().HasForeignKey(p => p.RoomId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<DocumentRow> b)
    {
        b.ToTable("room_documents");
        b.HasKey(d => new { d.RoomId, d.Id });
        b.Property(d => d.Status).HasConversion<EnumText<DocumentStatus>>();
        b.HasOne<RoomRow>().WithMany().HasForeignKey(d => d.RoomId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ApprovalRow> b)
    {
        b.ToTable("room_approvals");
        b.HasKey(a => new { a.RoomId, a.Ordinal });
        b.Property(a => a.PartyRole).HasConversion<EnumText<PartyRole>>();
        b.Property(a => a.Status).HasConversion<EnumText<ApprovalStatus>>();
        b.HasOne<RoomRow>().WithMany().HasForeignKey(a => a.RoomId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ActivityRow> b)
    {
        b.ToTable("room_activities");
        b.HasKey(a => new { a.RoomId, a.Seq });
        b.HasOne<RoomRow>().WithMany().HasForeignKey(a => a.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}
