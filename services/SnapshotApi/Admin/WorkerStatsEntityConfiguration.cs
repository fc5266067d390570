using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sts.SnapshotApi.Admin;

internal sealed class WorkerStatsEntityConfiguration : IEntityTypeConfiguration<WorkerStatsRow>
{
    public void Configure(EntityTypeBuilder<WorkerStatsRow> b)
    {
        b.ToTable("worker_stats");
        b.HasKey(w => w.WorkerId);
    }
}
