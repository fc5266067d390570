using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Sts.Api.V1;
using Sts.Shared.Storage;
using Xunit.Abstractions;

namespace Sts.EndToEnd.Tests.Backups;

/// <summary>
/// Backups on filesystem storage: the round trip (<see cref="BackupRoundTrip"/>), verify and restore refusing a
/// corrupted dump and a missing file, the deployment-wide lock, and the rollback of a restore that failed part-way.
/// Every room state is claim-checked here (RoomState:InlineMaxBytes=0), so backups carry state objects as well as
/// files; the S3 round trip keeps them inline.
/// </summary>
public sealed class FileSystemBackupTests(FileSystemBackupTests.ClaimCheckedPipeline fixture, ITestOutputHelper output)
    : BackupRoundTrip(fixture, output), IClassFixture<FileSystemBackupTests.ClaimCheckedPipeline>
{
    public sealed class ClaimCheckedPipeline : PipelineFixture
    {
        protected override void ConfigureApi(IDictionary<string, string?> settings) => settings["RoomState:InlineMaxBytes"] = "0";
    }

    [Fact]
    public async Task A_corrupted_dump_is_reported_by_verify_and_refused_by_restore_with_nothing_touched()
    {
        await BackupData.LoadAsync(Fixture, 3);
        var backup = await CreateAsync();
        // Made after the backup: a restore that ran after all would take them away, and the dumps would differ.
        await BackupData.LoadAsync(Fixture, 1);
        var key = $"backups/{backup.Id}/dump.pgc";
        var dump = await ReadAsync(key);
        dump[dump.Length / 2] ^= 0x5A;
        await Fixture.Store.WriteAsync(key, dump, CancellationToken.None);

        await AssertRefusedAsync(backup.Id, "dump.pgc");
    }

    [Fact]
    public async Task A_missing_file_is_reported_by_verify_and_refused_by_restore_with_nothing_touched()
    {
        var shas = await BackupData.LoadAsync(Fixture, 3);
        var backup = await CreateAsync();
        // Made after the backup: a restore that ran after all would take them away, and the dumps would differ.
        await BackupData.LoadAsync(Fixture, 1);
        var snapshotId = shas.Keys.First();
        var snapshot = (await Fixture.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = snapshotId })).Snapshot;
        var fileKey = StorageKey.For(snapshot.RoomId, Guid.Parse(snapshotId), snapshot.Type switch
        {
            SnapshotType.Pdf => ".pdf", SnapshotType.Json => ".json", _ => ".csv",
        });
        Assert.True(await Fixture.Store.DeleteAsync(StorageKey.ForBackupCopy(backup.Id, fileKey), CancellationToken.None));

        await AssertRefusedAsync(backup.Id, fileKey);
    }

    [Fact]
    public async Task Two_concurrent_backups_one_runs_and_the_other_is_refused_naming_it()
    {
        await BackupData.LoadAsync(Fixture, 3);
        var other = await Fixture.AdminOfAsync(await Fixture.StartApiAsync());
        // Both replicas, at once: the lock is the database's, not a replica's.
        var first = Fixture.Admin.Operations.CreateBackupAsync(new CreateBackupRequest(), deadline: DateTime.UtcNow.AddMinutes(5)).ResponseAsync;
        var second = other.Operations.CreateBackupAsync(new CreateBackupRequest(), deadline: DateTime.UtcNow.AddMinutes(5)).ResponseAsync;
        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second));

        var ran = Assert.Single(outcomes, o => o.Backup is not null).Backup!;
        var refused = Assert.Single(outcomes, o => o.Error is not null).Error!;
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains($"create {ran.Id}", refused.Status.Detail);
        Assert.True(ran.Verification.Ok);
    }

    [Fact]
    public async Task A_restore_that_fails_part_way_is_undone_by_restoring_its_rollback_backup()
    {
        await BackupData.LoadAsync(Fixture, 3);
        var old = await CreateAsync();
        // The state to come back to: more rooms and snapshots after the backup.
        var later = await BackupData.LoadAsync(Fixture, 3);
        await BackupData.WaitSealedAsync(Fixture);
        var expected = await BackupData.PlainDumpAsync(Fixture.ConnectionString, "audit_log");
        var chainBefore = await ChainAsync();

        // A replica whose pg_restore restores and then fails: a fault after the database was replaced.
        var failing = Path.Combine(Path.GetTempPath(), $"sts-failing-pg-restore-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(failing, "#!/bin/sh\npg_restore \"$@\" || exit $?\necho 'injected failure after pg_restore' >&2\nexit 3\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(failing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var failingReplica = await Fixture.StartApiAsync(new Dictionary<string, string?> { ["Backup:PgRestorePath"] = failing });
            var replica = await Fixture.AdminOfAsync(failingReplica);
            var failed = await BackupData.FailsAsync(replica.Operations.RestoreBackupAsync(new RestoreBackupRequest { BackupId = old.Id }, deadline: DateTime.UtcNow.AddMinutes(5)));
            Assert.Equal(StatusCode.Aborted, failed.StatusCode);
            Assert.Contains("injected failure", failed.Status.Detail);
            var rollbackId = RollbackIdIn(failed.Status.Detail);
            await BackupData.AfterRestoreAsync(Fixture);
            // The database is the old backup's now, part-way: the later snapshots are gone from it.
            Assert.Equal(0L, await Fixture.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE id = @p0", Guid.Parse(later.Keys.First())));

            var undone = await Fixture.Admin.Operations.RestoreBackupAsync(new RestoreBackupRequest { BackupId = rollbackId }, deadline: DateTime.UtcNow.AddMinutes(5));
            Assert.Equal(rollbackId, undone.Restored.Id);
            await Fixture.StopAsync(failingReplica);
            await BackupData.AfterRestoreAsync(Fixture);
        }
        finally
        {
            File.Delete(failing);
        }
        await BackupData.WaitSealedAsync(Fixture);
        Assert.Equal(expected, await BackupData.PlainDumpAsync(Fixture.ConnectionString, "audit_log"));
        // The audit log is the one from before, plus the records of the restores themselves.
        Assert.StartsWith(chainBefore, await ChainAsync());
        var chain = await Fixture.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(chain.Valid, chain.Reason);
        await BackupData.AssertDownloadsAsync(Fixture.Admin, later);
    }

    [Fact]
    public async Task The_schedule_takes_a_backup_when_one_is_due_keeps_the_last_n_and_exports_its_figures()
    {
        await BackupData.LoadAsync(Fixture, 3);
        // Two before the scheduled one, so that keep-last-2 has one to delete whatever ran before.
        await CreateAsync();
        await CreateAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var replica = await Fixture.StartApiAsync(new Dictionary<string, string?>
        {
            ["Backup:ScheduleEnabled"] = "true", ["Backup:Interval"] = "01:00:00", ["Backup:CheckInterval"] = "00:00:01", ["Backup:KeepLast"] = "2",
        }, clock);
        // Its first check at start-up finds the backup above recent: nothing is due until the clock passes the interval.
        clock.Advance(TimeSpan.FromMinutes(61));
        Backup? scheduled = null;
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var backups = (await Fixture.Admin.Operations.ListBackupsAsync(new ListBackupsRequest())).Backups;
            scheduled = backups.FirstOrDefault(b => b.Reason == "scheduled");
            return scheduled is not null && backups.Count == 2;
        }, TimeSpan.FromSeconds(60), "a scheduled backup, and retention down to the last two");
        Assert.True(scheduled!.Verification.Ok);

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(await ApiFixture.HttpAddressOfAsync(replica), "/metrics"));
        var taken = scheduled.CreatedAt.ToDateTimeOffset().ToUnixTimeSeconds();
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("sts_backup_last_success_timestamp_seconds{", StringComparison.Ordinal)
            && Math.Abs(double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture) - taken) < 1);
        Assert.Contains("sts_backup_interval_seconds{", metrics);
        Assert.Contains("sts_backup_size_bytes{", metrics);
        Assert.Contains("sts_backup_duration_seconds{", metrics);
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("sts_backup_verification_ok{", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("sts_backup_runs_total{", StringComparison.Ordinal)
            && line.Contains("operation=\"create\"", StringComparison.Ordinal) && line.Contains("outcome=\"ok\"", StringComparison.Ordinal));
        await Fixture.StopAsync(replica);

        var (exit, output, errors) = await StsCli.RunAsync("admin", "backup", "check", "--api", Fixture.Address.ToString(),
            "--token", Fixture.Mint(ApiFixture.AdminEmail, Sts.Shared.Auth.StsClaims.AdminRole, [], TimeSpan.FromMinutes(5)));
        Assert.True(exit == 0, output + errors);
        Assert.Contains($"OK: newest verified backup {scheduled.Id}", output);
    }

    [Fact]
    public async Task The_bootstrap_verb_restores_the_newest_verified_backup_into_an_empty_database_and_migrates_it()
    {
        await BackupData.ForgetBackupsAsync(Fixture);
        await BackupData.LoadAsync(Fixture, 3);
        var backup = await CreateAsync();
        await using var empty = await TestDatabase.CreateAsync();

        var (exit, output, errors) = await BootstrapProcessAsync(empty.ConnectionString);
        Assert.True(exit == 0, output + errors);
        Assert.Contains($"Restored backup {backup.Id}", output);
        Assert.Equal(await Fixture.ScalarAsync<long>("SELECT count(*) FROM snapshots"), await empty.ScalarAsync<long>("SELECT count(*) FROM snapshots"));
        Assert.Equal(backup.SchemaVersion, await empty.ScalarAsync<string>("SELECT max(\"MigrationId\") FROM \"__EFMigrationsHistory\""));

        // Once is enough: a database with tables is never bootstrapped over.
        (exit, output, errors) = await BootstrapProcessAsync(empty.ConnectionString);
        Assert.True(exit == 2, output + errors);
        Assert.Contains("Nothing restored", errors);
    }

    /// <summary>`dotnet Sts.SnapshotApi.dll bootstrap` against <paramref name="connectionString"/>, on the fixture's storage.</summary>
    private async Task<(int ExitCode, string Output, string Errors)> BootstrapProcessAsync(string connectionString)
    {
        var dll = ServiceBuild.Dll("SnapshotApi", "Sts.SnapshotApi.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("bootstrap");
        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        start.Environment["ConnectionStrings__RabbitMq"] = Fixture.Broker.ConnectionString;
        start.Environment["Storage__Kind"] = "filesystem";
        start.Environment["Storage__Root"] = Fixture.StorageRoot;
        start.Environment["Auth__SigningKey"] = Fixture.Tokens.SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    private async Task AssertRefusedAsync(string backupId, string fault)
    {
        var verified = (await Fixture.Admin.Operations.VerifyBackupAsync(new VerifyBackupRequest { BackupId = backupId }, deadline: DateTime.UtcNow.AddMinutes(2))).Backup;
        Assert.False(verified.Verification.Ok);
        Assert.Contains(verified.Verification.Faults, f => f.Contains(fault, StringComparison.Ordinal));

        var (cli, cliOutput, _) = await StsCli.RunAsync("admin", "backup", "verify", backupId, "--api", Fixture.Address.ToString(),
            "--token", Fixture.Mint(ApiFixture.AdminEmail, Sts.Shared.Auth.StsClaims.AdminRole, [], TimeSpan.FromMinutes(5)));
        Assert.Equal(1, cli);
        Assert.Contains($"FAULT: ", cliOutput);
        Assert.Contains(fault, cliOutput);

        await BackupData.WaitSealedAsync(Fixture);
        var before = await BackupData.PlainDumpAsync(Fixture.ConnectionString, "audit_log");
        var backupsBefore = (await Fixture.Admin.Operations.ListBackupsAsync(new ListBackupsRequest())).Backups.Count;
        var refused = await BackupData.FailsAsync(Fixture.Admin.Operations.RestoreBackupAsync(new RestoreBackupRequest { BackupId = backupId }, deadline: DateTime.UtcNow.AddMinutes(2)));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("does not verify", refused.Status.Detail);
        Assert.Contains(fault, refused.Status.Detail);
        // Nothing touched: the same database, and no rollback backup either.
        Assert.Equal(before, await BackupData.PlainDumpAsync(Fixture.ConnectionString, "audit_log"));
        Assert.Equal(backupsBefore, (await Fixture.Admin.Operations.ListBackupsAsync(new ListBackupsRequest())).Backups.Count);
    }

    private async Task<Backup> CreateAsync()
    {
        var backup = (await Fixture.Admin.Operations.CreateBackupAsync(new CreateBackupRequest(), deadline: DateTime.UtcNow.AddMinutes(5))).Backup;
        Assert.True(backup.Verification.Ok, string.Join("; ", backup.Verification.Faults));
        return backup;
    }

    private async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await Fixture.Store.OpenReadAsync(key, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"{key} is not stored");
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>The sealed chain's hashes in order, comma-separated.</summary>
    private async Task<string> ChainAsync() =>
        await Fixture.ScalarAsync<string>("SELECT string_agg(hash, ',' ORDER BY sequence) FROM audit_log WHERE sequence IS NOT NULL") ?? "";

    private static string RollbackIdIn(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"sts admin backup restore ([0-9]{8}T[0-9]{6}Z-[0-9a-f]{8})");
        Assert.True(match.Success, $"no rollback command in: {message}");
        return match.Groups[1].Value;
    }

    private static async Task<(Backup? Backup, RpcException? Error)> Outcome(Task<CreateBackupResponse> call)
    {
        try
        {
            return ((await call).Backup, null);
        }
        catch (RpcException ex)
        {
            return (null, ex);
        }
    }
}
