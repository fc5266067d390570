using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sts.SnapshotApi.Outbox;

internal sealed class OutboxEntityConfiguration : IEntityTypeConfiguration<OutboxRow>
{
    public void Configure(EntityTypeBuilder<OutboxRow> b)
    {
        b.ToTable("outbox");
        b.HasKey(o => o.Id);
        b.Property(o => o.Id).UseIdentityAlwaysColumn();
        b.HasIndex(o => o.MessageId).IsUnique();
        // The relay only ever scans unsent rows.
        b.HasIndex(o => o.Id).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_unsent");
        b.HasIndex(o => o.SnapshotId).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_unsent_snapshot");
    }
}
