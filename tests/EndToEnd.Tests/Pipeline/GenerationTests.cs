using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Rooms;

namespace Sts.EndToEnd.Tests.Pipeline;

/// <summary>End to end over real RabbitMQ, PostgreSQL, files and sockets: create, render, store, watch, download.</summary>
[Collection(PipelineCollection.Name)]
public sealed class GenerationTests(PipelineFixture cluster)
{
    private static readonly int[] StagePercents = [0, 30, 60, 80, 100];

    [Fact]
    public async Task Pdf_snapshot_completes_and_downloads_with_its_recorded_sha256()
    {
        var room = await UpsertAsync(TestRooms.Fixture("medium", TestRooms.UniqueId("medium")));
        var created = await CreateAsync(room.Id, SnapshotType.Pdf);

        var states = await cluster.Admin.WatchToEndAsync(created.Id);

        var final = states[^1];
        Assert.Equal(SnapshotStatus.Completed, final.Status);
        // The first state is whatever the snapshot had reached when the watch began (the worker is running);
        // that a watch opened early sees QUEUED first is shown by the tests that hold the worker back.
        Assert.Equal(100, final.Progress);
        // Progress only moves forward, through the promised stages.
        Assert.All(states.Zip(states.Skip(1)), pair => Assert.True(pair.First.Progress <= pair.Second.Progress));
        Assert.All(states, s => Assert.Contains(s.Progress, StagePercents));

        var (metadata, bytes) = await cluster.Admin.DownloadAsync(created.Id);
        Assert.Equal(final.Sha256, SnapshotWaiting.Sha256(bytes));
        Assert.Equal(final.SizeBytes, bytes.Length);
        Assert.Equal(metadata.Sha256, final.Sha256);
        Assert.Equal("application/pdf", metadata.ContentType);
        var text = await SnapshotWaiting.PdfTextAsync(bytes);
        Assert.Contains(room.Title, text, StringComparison.Ordinal);
        Assert.Contains(room.Documents[0].Type, text, StringComparison.Ordinal);

        var task = (await cluster.Admin.Snapshots.GetTaskAsync(new GetTaskRequest { TaskId = created.TaskId })).Task;
        Assert.Equal(SnapshotTaskStatus.Completed, task.Status);
        Assert.Equal(final.Sha256, task.Result.Sha256);
        Assert.True(task.Result.RenderMillis >= 0);
    }

    [Fact]
    public async Task Greek_cyrillic_and_accented_names_survive_into_the_pdf()
    {
        var room = TestRooms.WithEveryRole();
        room.Parties[0].Name = "Αθηνά Παπαδοπούλου";
        room.Parties[1].Name = "Дмитрий Иванов";
        room.Parties[2].Company = "Société Générale Énergie";
        await UpsertAsync(room);
        var created = await CreateAsync(room.Id, SnapshotType.Pdf);

        Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);
        var text = await SnapshotWaiting.PdfTextAsync((await cluster.Admin.DownloadAsync(created.Id)).Bytes);

        Assert.Contains("Αθηνά Παπαδοπούλου", text, StringComparison.Ordinal);
        Assert.Contains("Дмитрий Иванов", text, StringComparison.Ordinal);
        Assert.Contains("Société Générale Énergie", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_snapshot_round_trips_to_the_frozen_state()
    {
        var room = await UpsertAsync(TestRooms.Fixture("small", TestRooms.UniqueId("small")));
        var created = await CreateAsync(room.Id, SnapshotType.Json);
        Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);

        var (metadata, bytes) = await cluster.Admin.DownloadAsync(created.Id);

        using var json = JsonDocument.Parse(bytes);
        var frozen = RoomState.Parse(json.RootElement.GetProperty("room").GetRawText());
        Assert.Equal(created.ContentHash, RoomState.Sha256Hex(RoomState.ToCanonicalJson(frozen)));
        Assert.Equal(created.Id, json.RootElement.GetProperty("snapshot").GetProperty("id").GetString());
        Assert.Equal("application/json", metadata.ContentType);
    }

    [Fact]
    public async Task Csv_snapshot_has_a_header_and_one_row_per_document()
    {
        var room = TestRooms.Fixture("medium", TestRooms.UniqueId("medium"));
        room.Documents[0].Notes = "Quoted \"remark\", with a comma\nand a second line";
        await UpsertAsync(room);
        var created = await CreateAsync(room.Id, SnapshotType.Csv);
        Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);

        var rows = Rfc4180.Parse(Encoding.UTF8.GetString((await cluster.Admin.DownloadAsync(created.Id)).Bytes).TrimStart('\uFEFF'));

        Assert.Equal(room.Documents.Count + 1, rows.Count);
        Assert.Contains("id", rows[0]);
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        Assert.Contains(room.Documents[0].Notes, rows[1]);
        Assert.Equal(room.Documents.Select(d => d.Id), rows.Skip(1).Select(r => r[Array.IndexOf(rows[0], "id")]));
    }

    [Fact]
    public async Task Download_of_a_file_altered_on_disk_is_data_loss()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var created = await CreateAsync(room.Id, SnapshotType.Json);
        Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);
        await cluster.Store.AlterAsync($"rooms/{room.Id}/{created.Id}.json", bytes => bytes[^2] ^= 0x20);

        var ex = await Assert.ThrowsAsync<RpcException>(() => cluster.Admin.DownloadAsync(created.Id));

        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
    }

    [Fact]
    public async Task Pdf_created_with_compare_to_opens_with_the_changes_and_carries_its_watermark()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var earlier = await CreateAsync(room.Id, SnapshotType.Json);
        room.Documents[0].Status = DocumentStatus.Expired;
        room.Documents[0].Notes = "Superseded by the re-issued Q88";
        await UpsertAsync(room);
        var other = await UpsertAsync(TestRooms.WithEveryRole());
        var otherRooms = await CreateAsync(other.Id, SnapshotType.Json);

        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
        {
            RoomId = room.Id, Title = "After re-issue", Type = SnapshotType.Pdf,
            Options = new SnapshotOptions { IncludeDocuments = true, IncludeActivity = true, IncludeApprovals = true, Watermark = "DRAFT", CompareToSnapshotId = earlier.Id },
        })).Snapshot;
        var final = (await cluster.Admin.WatchToEndAsync(created.Id))[^1];
        var refused = await Assert.ThrowsAsync<RpcException>(() => cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
        {
            RoomId = room.Id, Title = "x", Type = SnapshotType.Pdf, Options = new SnapshotOptions { IncludeDocuments = true, CompareToSnapshotId = otherRooms.Id },
        }).ResponseAsync);

        Assert.True(final.Status == SnapshotStatus.Completed, final.Error);
        Assert.Equal("DRAFT", final.Options.Watermark);
        var text = await SnapshotWaiting.PdfTextAsync((await cluster.Admin.DownloadAsync(created.Id)).Bytes);
        Assert.Contains("Changes since", text, StringComparison.Ordinal);
        Assert.Contains($"Compared with snapshot {earlier.Id}", text, StringComparison.Ordinal);
        // Table cells wrap: compare without whitespace.
        Assert.Contains("Supersededbythere-issuedQ88", string.Concat(text.Where(c => !char.IsWhiteSpace(c))), StringComparison.Ordinal);
        Assert.Contains("expired", text, StringComparison.Ordinal);
        Assert.Contains("DRAFT", text, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task Watching_a_finished_snapshot_sends_its_state_and_ends()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var created = await CreateAsync(room.Id, SnapshotType.Json);
        var first = await cluster.Admin.WatchToEndAsync(created.Id);

        var again = await cluster.Admin.WatchToEndAsync(created.Id);

        Assert.Equal(first[^1], Assert.Single(again));
    }

    [Fact]
    public async Task Cancelling_a_watch_releases_the_server_side()
    {
        var feed = cluster.Services.GetRequiredService<Sts.SnapshotApi.Snapshots.SnapshotChangeFeed>();
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        await cluster.StopAsync(cluster.Worker);
        try
        {
            var created = await CreateAsync(room.Id, SnapshotType.Pdf);
            using var cancel = new CancellationTokenSource();
            using var call = cluster.Admin.Snapshots.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = created.Id }, cancellationToken: cancel.Token);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(feed.ActiveSubscriptions == 1), TimeSpan.FromSeconds(10), "the watch to subscribe");

            await cancel.CancelAsync();

            await SnapshotWaiting.EventuallyAsync(() => Task.FromResult(feed.ActiveSubscriptions == 0), TimeSpan.FromSeconds(10), "the server to release the watch");

            // Let it finish here, so that its render does not count in a later test's worker statistics.
            await cluster.RestartWorkerAsync();
            Assert.Equal(SnapshotStatus.Completed, (await cluster.Admin.WatchToEndAsync(created.Id))[^1].Status);
        }
        finally
        {
            await cluster.RestartWorkerAsync();
        }
    }

    private async Task<Room> UpsertAsync(Room room)
    {
        await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        return room;
    }

    private async Task<Snapshot> CreateAsync(string roomId, SnapshotType type) =>
        (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = "E2E", Type = type })).Snapshot;
}
