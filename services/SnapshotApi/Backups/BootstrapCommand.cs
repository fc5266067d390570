using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// `Sts.SnapshotApi bootstrap [backup-id]`: the operator's way to bootstrap a new environment (the same as
/// Backup:RestoreOnEmptyDatabase, on demand): restores the given backup, or the newest verified one, into the configured
/// database, which must have no tables, then migrates it and exits without serving. Exit 0 when restored, 2 when there
/// was nothing to do (the database is not empty, or no backup verifies), 1 when the restore failed.
/// </summary>
public static class BootstrapCommand
{
    public const string Verb = "bootstrap";

    public static async Task<int> RunAsync(WebApplication app, string? backupId)
    {
        var operations = app.Services.GetRequiredService<BackupOperations>();
        try
        {
            var result = await operations.RestoreIntoEmptyAsync(backupId, CancellationToken.None);
            if (result is null)
            {
                await Console.Error.WriteLineAsync("Nothing restored: the database is not empty, or no backup in storage has verified (sts admin backup list shows them).");
                return 2;
            }
            await app.Services.MigrateDatabaseAsync();
            Console.WriteLine($"Restored backup {result.Restored.Id} ({result.FilesRestored} snapshot objects; audit chain verified over {result.AuditRecordsChecked} records) and migrated the database.");
            return 0;
        }
        catch (Exception ex) when (ex is BackupRefusedException or BackupNotFoundException or BackupFailedException or BackupBusyException)
        {
            await Console.Error.WriteLineAsync($"Bootstrap failed: {ex.Message}");
            return ex is BackupFailedException ? 1 : 2;
        }
    }
}
