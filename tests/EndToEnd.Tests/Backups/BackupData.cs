using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sts.Api.V1;
using Sts.SnapshotApi.Backups;

namespace Sts.EndToEnd.Tests.Backups;

/// <summary>Data for backup tests: rooms (non-Latin names among them), snapshots of every type, and what the audit log records of them.</summary>
public static class BackupData
{
    /// <summary>Snapshots the end-to-end tests load: STS_BACKUP_SNAPSHOTS, else a short form for the test command (a few hundred is the long form).</summary>
    public static int SnapshotCount => int.TryParse(Environment.GetEnvironmentVariable("STS_BACKUP_SNAPSHOTS"), out var n) && n > 0 ? n : 12;

    private static readonly SnapshotType[] Types = [SnapshotType.Pdf, SnapshotType.Json, SnapshotType.Csv];

    /// <summary>Upserts three rooms and makes <paramref name="snapshots"/> completed snapshots across them; returns each snapshot's id and SHA-256.</summary>
    public static async Task<Dictionary<string, string>> LoadAsync(ApiFixture fixture, int snapshots)
    {
        var rooms = new[] { TestRooms.WithEveryRole(TestRooms.UniqueId("bk")), TestRooms.WithEveryRole(TestRooms.UniqueId("bk")), TestRooms.WithEveryRole(TestRooms.UniqueId("bk")) };
        rooms[0].Title = "Перевалка СТС — 船对船过驳 — نقل من سفينة إلى سفينة";
        rooms[0].Location = "Σκάγεν, Δανία";
        rooms[0].Parties[0].Name = "Åsa Ørnstrøm-Þórsdóttir";
        rooms[1].Title = "STS 転送 ケース・スタディ ✓";
        foreach (var room in rooms) await fixture.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });

        var created = new List<string>();
        // In batches, so that admission never has to push back on a burst.
        for (var start = 0; start < snapshots; start += 20)
        {
            var batch = new List<Task<CreateSnapshotResponse>>();
            for (var i = start; i < Math.Min(snapshots, start + 20); i++)
            {
                batch.Add(fixture.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
                {
                    RoomId = rooms[i % rooms.Length].Id, Title = $"Backup test {i} — снимок {i}", Type = Types[i % Types.Length],
                }, deadline: DateTime.UtcNow.AddMinutes(1)).ResponseAsync);
            }
            foreach (var response in await Task.WhenAll(batch)) created.Add(response.Snapshot.Id);
            foreach (var id in created.Skip(start)) await WaitCompletedAsync(fixture, id);
        }
        var shas = new Dictionary<string, string>();
        foreach (var id in created)
            shas[id] = (await fixture.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = id })).Snapshot.Sha256;
        await WaitSealedAsync(fixture);
        return shas;
    }

    public static async Task WaitCompletedAsync(ApiFixture fixture, string snapshotId)
    {
        var states = await fixture.Admin.WatchToEndAsync(snapshotId, TimeSpan.FromMinutes(3));
        Assert.Equal(SnapshotStatus.Completed, states[^1].Status);
    }

    /// <summary>Waits until every audit record is sealed into the chain, so that a dump taken now stays what it is.</summary>
    public static Task WaitSealedAsync(ApiFixture fixture) => SnapshotWaiting.EventuallyAsync(
        async () => await fixture.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE sequence IS NULL") == 0,
        TimeSpan.FromSeconds(30), "every audit record to be sealed");

    /// <summary>
    /// A plain-format pg_dump, for comparison. worker_stats is left out: the workers' telemetry, rewritten every few
    /// seconds and not part of what a backup promises. So are the data of <paramref name="excludeTableData"/>.
    /// </summary>
    public static async Task<string> PlainDumpAsync(string connectionString, params string[] excludeTableData)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo("pg_dump")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--format=plain", "--no-owner", "--no-privileges", "--exclude-table-data=worker_stats" }) start.ArgumentList.Add(argument);
        foreach (var table in excludeTableData) start.ArgumentList.Add($"--exclude-table-data={table}");
        start.Environment["PGHOST"] = connection.Host;
        start.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = connection.Database;
        start.Environment["PGUSER"] = connection.Username;
        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"pg_dump failed: {await errors}");
        // An excluded table's sequence position moves with its data; leave it out too. So are \restrict and \unrestrict,
        // whose key pg_dump (15.14 and later) draws at random for each dump.
        var sequences = excludeTableData.Select(t => $"SELECT pg_catalog.setval('public.{t}_").Append("\\restrict ").Append("\\unrestrict ").ToArray();
        return string.Join('\n', (await output).Split('\n').Where(line => !sequences.Any(s => line.StartsWith(s, StringComparison.Ordinal))));
    }

    /// <summary>Drops the database and creates it again, empty: the disaster the end-to-end test recovers from.</summary>
    public static async Task DropAndRecreateAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE {name} WITH (FORCE)", admin)) await drop.ExecuteNonQueryAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin)) await create.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A restore over a live database ends every other session of it. The test drops its own pooled connections, and
    /// the fixture's replica drops its own (what the runbook's restart of the other replicas does: otherwise each of its
    /// pooled connections fails once, which a client sees as UNAVAILABLE); then it is waited for until it answers.
    /// </summary>
    public static async Task AfterRestoreAsync(ApiFixture fixture)
    {
        ForgetConnections(fixture);
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            try
            {
                await fixture.Admin.Operations.GetMetricsSummaryAsync(new GetMetricsSummaryRequest());
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the fixture's replica to answer after the restore");
    }

    /// <summary>
    /// Removes every backup from the fixture's storage. A test that bootstraps from "the newest verified backup" starts
    /// with it, so that a backup another test made cannot be the newest (the schedule test's is dated an hour ahead, by
    /// the clock it moves).
    /// </summary>
    public static async Task ForgetBackupsAsync(ApiFixture fixture)
    {
        var catalog = fixture.Services.GetRequiredService<BackupCatalog>();
        foreach (var backup in await catalog.ListAsync(CancellationToken.None))
            await catalog.DeleteAsync(backup.Manifest.Id, CancellationToken.None);
    }

    /// <summary>Deletes every snapshot file and claim-checked room state from the live store; returns how many.</summary>
    public static async Task<int> DeleteSnapshotObjectsAsync(Sts.Shared.Storage.ISnapshotStore store)
    {
        var keys = new List<string>();
        await foreach (var stored in store.ListAsync(CancellationToken.None)) keys.Add(stored.Key);
        foreach (var key in keys) await store.DeleteAsync(key, CancellationToken.None);
        return keys.Count;
    }

    /// <summary>Drops the test's and the fixture replica's pooled connections to the database (see <see cref="AfterRestoreAsync"/>).</summary>
    public static void ForgetConnections(ApiFixture fixture)
    {
        NpgsqlConnection.ClearAllPools();
        fixture.Services.GetRequiredService<NpgsqlDataSource>().Clear();
    }

    /// <summary>Every snapshot downloads through <paramref name="client"/> with the SHA-256 recorded when it was made.</summary>
    public static async Task AssertDownloadsAsync(ApiClient client, IReadOnlyDictionary<string, string> shas)
    {
        foreach (var (id, sha256) in shas)
        {
            var (metadata, bytes) = await client.DownloadAsync(id);
            Assert.Equal(sha256, metadata.Sha256);
            Assert.Equal(sha256, SnapshotWaiting.Sha256(bytes));
        }
    }

    /// <summary>The status and message of a call that must fail.</summary>
    public static async Task<RpcException> FailsAsync<T>(AsyncUnaryCall<T> call) => await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
}
