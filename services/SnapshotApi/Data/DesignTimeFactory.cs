using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Sts.SnapshotApi.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without a running database.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<StsDbContext>
{
    public StsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<StsDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
