using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sts.SnapshotApi.Audit;

internal sealed class AuditModel : IEntityTypeConfiguration<AuditRow>
{
    public void Configure(EntityTypeBuilder<AuditRow> b)
    {
        b.ToTable("audit_log");
        b.HasKey(a => a.Sequence);
        b.Property(a => a.Sequence).ValueGeneratedNever();
        b.Property(a => a.Metadata).HasColumnType("jsonb");
        b.HasIndex(a => new { a.RoomId, a.Sequence });
        b.HasIndex(a => a.SnapshotId);
    }
}
