using System.Diagnostics;
using Sts.Api.V1;
using Sts.SnapshotApi.Backups;
using Sts.SnapshotApi.Data;
using Xunit.Abstractions;

namespace Sts.EndToEnd.Tests.Backups;

/// <summary>
/// WAL-G's end-to-end test, on whatever storage the fixture uses: load rooms, snapshots of every type and the audit
/// log; dump the database (plain format) and take a backup; drop the database; bootstrap a new replica from the backup
/// (Backup:RestoreOnEmptyDatabase); dump again and compare; verify the audit chain; download every snapshot with its
/// SHA-256 checked.
/// </summary>
public abstract class BackupRoundTrip(PipelineFixture fixture, ITestOutputHelper output)
{
    protected PipelineFixture Fixture { get; } = fixture;

    protected ITestOutputHelper Output { get; } = output;

    [Fact]
    public async Task Dropped_database_is_bootstrapped_from_a_backup_with_the_same_dump_audit_chain_and_files()
    {
        await BackupData.ForgetBackupsAsync(Fixture);
        var watch = Stopwatch.StartNew();
        var shas = await BackupData.LoadAsync(Fixture, BackupData.SnapshotCount);
        var loaded = watch.Elapsed;
        // The workers' reports would change the database between the two dumps.
        await Fixture.StopAsync(Fixture.Worker);
        try
        {
            var before = await BackupData.PlainDumpAsync(Fixture.ConnectionString);
            var backup = (await Fixture.Admin.Operations.CreateBackupAsync(new CreateBackupRequest(), deadline: DateTime.UtcNow.AddMinutes(10))).Backup;
            Assert.True(backup.Verification.Ok, string.Join("; ", backup.Verification.Faults));
            Assert.True(backup.FileCount >= shas.Count, $"{backup.FileCount} objects in the backup, {shas.Count} snapshots made");
            var states = await Fixture.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE state_key IS NOT NULL");
            Assert.Equal(await Fixture.ScalarAsync<long>("SELECT count(*) FROM snapshots WHERE status = 'completed'") + states, backup.FileCount);
            Assert.StartsWith("15.", backup.ServerVersion);
            Assert.NotEmpty(backup.SchemaVersion);
            Assert.True(backup.AuditHeadSequence > shas.Count, $"audit head {backup.AuditHeadSequence}");
            var tookBackup = watch.Elapsed;

            await BackupData.DropAndRecreateAsync(Fixture.ConnectionString);
            // The stored snapshot files go too, so that every download below reads a file the restore put back.
            Assert.True(await BackupData.DeleteSnapshotObjectsAsync(Fixture.Store) >= shas.Count);
            var after = await BootstrapAndDumpAsync(shas);
            Assert.Equal(before, after);
            Output.WriteLine($"{shas.Count} snapshots: loaded in {loaded.TotalSeconds:F1} s, backup {backup.DumpSizeBytes} bytes + {backup.FileCount} objects " +
                $"in {backup.DurationSeconds:F2} s, drop + bootstrap + checks in {(watch.Elapsed - tookBackup).TotalSeconds:F1} s");
        }
        finally
        {
            BackupData.ForgetConnections(Fixture);
            await Fixture.RestartWorkerAsync();
        }
    }

    /// <summary>A replica on the empty database with RestoreOnEmptyDatabase, started as Program.cs starts it; checks it and dumps the database.</summary>
    private async Task<string> BootstrapAndDumpAsync(IReadOnlyDictionary<string, string> shas)
    {
        var replica = Fixture.CreateApi(new Dictionary<string, string?> { ["Backup:RestoreOnEmptyDatabase"] = "true" });
        try
        {
            await replica.Services.RestoreOnEmptyDatabaseAsync();
            await replica.Services.MigrateDatabaseAsync();
            var dump = await BackupData.PlainDumpAsync(Fixture.ConnectionString);
            await replica.StartAsync();
            var client = Fixture.WithToken(Fixture.Mint(ApiFixture.AdminEmail, Sts.Shared.Auth.StsClaims.AdminRole, [], TimeSpan.FromMinutes(10)),
                Fixture.Channel(await ApiFixture.AddressOfAsync(replica)));
            var chain = await client.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
            Assert.True(chain.Valid, chain.Reason);
            await BackupData.AssertDownloadsAsync(client, shas);
            return dump;
        }
        finally
        {
            await replica.StopAsync();
            await replica.DisposeAsync();
        }
    }
}

/// <summary>The round trip with S3 storage: the dump and the server-side copies of the files live in the bucket.</summary>
public sealed class S3BackupTests(S3PipelineFixture fixture, ITestOutputHelper output) : BackupRoundTrip(fixture, output), IClassFixture<S3PipelineFixture>;
