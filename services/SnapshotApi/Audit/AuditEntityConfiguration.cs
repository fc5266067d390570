using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sts.SnapshotApi.Audit;

internal sealed class AuditEntityConfiguration : IEntityTypeConfiguration<AuditRow>
{
    public void Configure(EntityTypeBuilder<AuditRow> b)
    {
        b.ToTable("audit_log");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).UseIdentityByDefaultColumn();
        b.Property(a => a.Metadata).HasColumnType("jsonb");
        // One record per chain position, whatever happens to the sealer.
        b.HasIndex(a => a.Sequence).IsUnique().HasFilter("sequence IS NOT NULL");
        // The sealer's work list stays small however long the log grows.
        b.HasIndex(a => a.Id).HasFilter("sequence IS NULL").HasDatabaseName("ix_audit_log_unsealed");
        b.HasIndex(a => new { a.RoomId, a.Id });
        b.HasIndex(a => a.SnapshotId);
    }
}
