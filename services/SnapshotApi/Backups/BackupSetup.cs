using Microsoft.Extensions.Options;
using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Backups;

/// <summary>Registers backups of the service: engine, lock, schedule and metrics (section "Backup").</summary>
public static class BackupSetup
{
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddValidatedOptions<BackupOptions>(BackupOptions.Section);
        services.AddSingleton<BackupMetrics>();
        services.AddSingleton<BackupLock>();
        services.AddSingleton<BackupCatalog>();
        services.AddSingleton<PostgresTools>();
        services.AddSingleton<BackupCreator>();
        services.AddSingleton<BackupVerifier>();
        services.AddSingleton<BackupRestorer>();
        services.AddSingleton<BackupOperations>();
        services.AddSingleton<BackupScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<BackupScheduler>());
        return services;
    }

    /// <summary>
    /// Start-up with Backup:RestoreOnEmptyDatabase: against a database with no tables, restores the newest verified
    /// backup, before the migrations run. Does nothing otherwise.
    /// </summary>
    public static async Task RestoreOnEmptyDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        if (!services.GetRequiredService<IOptions<BackupOptions>>().Value.RestoreOnEmptyDatabase) return;
        await services.GetRequiredService<BackupOperations>().RestoreIntoEmptyAsync(null, ct);
    }
}
