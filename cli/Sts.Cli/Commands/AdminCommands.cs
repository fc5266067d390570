using System.CommandLine;
using Sts.Api.V1;
using Sts.Cli.Display;
using static Sts.Cli.Display.ValueText;

namespace Sts.Cli.Commands;

/// <summary>
/// sts admin backup create|verify [id]|list|restore ID|info|check: backups of the service itself (platform admins).
/// verify, create and check exit 1 naming each fault, so that monitoring and scripts can read them.
/// </summary>
public static class AdminCommands
{
    public static Command Create() => new("admin", "Operate the service (platform admins only).")
    {
        new Command("backup", "Back the service up, verify and restore its backups (docs/runbooks/backup.md).")
        {
            CreateBackup(), VerifyBackup(), ListBackups(), RestoreBackup(), Info(), Check(),
        },
    };

    private static Command CreateBackup()
    {
        var command = new Command("create", "Take a backup now (database dump and snapshot files) and verify it; exit 1 if it does not verify.");
        return WithApi(command, async (connection, _, ct) =>
        {
            var backup = (await connection.Admin.CreateBackupAsync(new CreateBackupRequest(), connection.LongRunning(ct))).Backup;
            WriteDetails(backup);
            return Faults(backup);
        });
    }

    private static Command VerifyBackup()
    {
        var id = new Argument<string>("id") { Description = "The backup to verify (default: the newest).", DefaultValueFactory = _ => "" };
        var command = new Command("verify", "Re-hash a backup's dump and every file against its manifest; exit 1 naming each fault.") { id };
        return WithApi(command, async (connection, parseResult, ct) =>
        {
            var backup = (await connection.Admin.VerifyBackupAsync(new VerifyBackupRequest { BackupId = parseResult.GetValue(id) ?? "" }, connection.LongRunning(ct))).Backup;
            WriteDetails(backup);
            return Faults(backup);
        });
    }

    private static Command ListBackups()
    {
        var command = new Command("list", "List the backups in storage, newest first.");
        return WithApi(command, async (connection, _, ct) =>
        {
            var response = await connection.Admin.ListBackupsAsync(new ListBackupsRequest(), connection.Unary(ct));
            ListTable.Write(
                ["ID", "TIME", "REASON", "SIZE", "FILES", "STATUS", "VERIFIED"],
                response.Backups.Select(b => new[]
                {
                    b.Id, Time(b.CreatedAt), b.Reason, Bytes(b.DumpSizeBytes + b.FilesSizeBytes), Number(b.FileCount), "complete", Verification(b),
                }));
            return ExitCodes.Ok;
        });
    }

    private static Command RestoreBackup()
    {
        var id = new Argument<string>("id") { Description = "The backup to restore (sts admin backup list shows them)." };
        var command = new Command("restore",
            "Restore a backup over the live database and files: verified first, a rollback backup taken, then restored and checked.") { id };
        return WithApi(command, async (connection, parseResult, ct) =>
        {
            var result = await connection.Admin.RestoreBackupAsync(new RestoreBackupRequest { BackupId = parseResult.GetRequiredValue(id) }, connection.LongRunning(ct));
            Details.Write(
                ("restored", result.Restored.Id),
                ("files", $"{Number(result.FilesRestored)} restored and checked"),
                ("audit chain", $"verified ({Number(result.AuditRecordsChecked)} records)"),
                ("rollback", $"{result.RollbackBackupId} (undo: sts admin backup restore {result.RollbackBackupId})"));
            Console.WriteLine("Restart the other API replicas now, so that they drop what they cached from before the restore.");
            return ExitCodes.Ok;
        });
    }

    private static Command Info()
    {
        var command = new Command("info", "Show backup settings, the newest backups, the running operation and the PostgreSQL client.");
        return WithApi(command, async (connection, _, ct) =>
        {
            var status = await connection.Admin.GetBackupStatusAsync(new GetBackupStatusRequest(), connection.Unary(ct));
            Details.Write(
                ("backups", Number(status.BackupCount)),
                ("newest", status.Newest is { } newest ? $"{newest.Id} ({Time(newest.CreatedAt)}, {Verification(newest)})" : "none"),
                ("newest verified", status.NewestVerified is { } verified ? $"{verified.Id} ({Time(verified.CreatedAt)})" : "none"),
                ("schedule", status.ScheduleEnabled ? $"every {Duration.Format(TimeSpan.FromSeconds(status.IntervalSeconds))}, keep last {status.KeepLast}" : "off on this replica"),
                ("running", status.Running.Length > 0 ? status.Running : "nothing"),
                ("pg_dump", status.ClientVersion),
                ("server", status.ServerVersion),
                ("faults", status.Faults.Count == 0 ? "none" : string.Join("; ", status.Faults)));
            return ExitCodes.Ok;
        });
    }

    private static Command Check()
    {
        var command = new Command("check", "Exit 0 when backups are healthy; otherwise print each fault and exit 1 (for monitoring).");
        return WithApi(command, async (connection, _, ct) =>
        {
            var status = await connection.Admin.GetBackupStatusAsync(new GetBackupStatusRequest(), connection.Unary(ct));
            foreach (var fault in status.Faults) Console.WriteLine($"FAULT: {fault}");
            if (status.Faults.Count == 0) Console.WriteLine($"OK: newest verified backup {status.NewestVerified?.Id} ({Time(status.NewestVerified?.CreatedAt)}).");
            return status.Faults.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
    }

    private static Command WithApi(Command command, Func<ApiConnection, ParseResult, CancellationToken, Task<int>> run)
    {
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, connection => run(connection, parseResult, ct)));
        return command;
    }

    private static void WriteDetails(Backup backup) => Details.Write(
        ("id", backup.Id),
        ("time", Time(backup.CreatedAt)),
        ("reason", backup.Reason),
        ("dump", $"{ExactBytes(backup.DumpSizeBytes)}, sha256 {backup.DumpSha256}"),
        ("files", $"{Number(backup.FileCount)} ({Bytes(backup.FilesSizeBytes)})"),
        ("took", $"{backup.DurationSeconds:F1} s"),
        ("postgres", backup.ServerVersion),
        ("schema", backup.SchemaVersion),
        ("audit head", Number(backup.AuditHeadSequence)),
        ("verified", Verification(backup)));

    private static string Verification(Backup backup) => backup.Verification switch
    {
        { Verified: false } => "never",
        { Ok: true } v => $"ok ({Time(v.At)})",
        var v => $"FAILED ({Number(v.Faults.Count)} faults, {Time(v.At)})",
    };

    private static int Faults(Backup backup)
    {
        foreach (var fault in backup.Verification.Faults) Console.WriteLine($"FAULT: {fault}");
        return backup.Verification is { Verified: true, Ok: true } ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
