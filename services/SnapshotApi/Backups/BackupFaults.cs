namespace Sts.SnapshotApi.Backups;

/// <summary>Another backup or restore holds the deployment-wide lock; <see cref="Holder"/> is how it names itself.</summary>
public sealed class BackupBusyException(string holder)
    : Exception($"Another backup or restore is running: {holder}. Wait for it to finish (sts admin backup info shows it).")
{
    public string Holder { get; } = holder;
}

/// <summary>No backup with this id in storage (or none at all).</summary>
public sealed class BackupNotFoundException(string message) : Exception(message);

/// <summary>A restore was refused before anything was touched: the backup does not verify, or does not fit this release.</summary>
public sealed class BackupRefusedException(string message, IReadOnlyList<string> faults) : Exception(message)
{
    public IReadOnlyList<string> Faults { get; } = faults;
}

/// <summary>A backup or restore failed part-way; for a restore, <see cref="RollbackId"/> names the backup that undoes it.</summary>
public sealed class BackupFailedException(string message, string? rollbackId = null, Exception? inner = null) : Exception(message, inner)
{
    public string? RollbackId { get; } = rollbackId;
}
