using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Sts.SnapshotApi.Audit;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Audit;

[Collection(ApiCollection.Name)]
public sealed class AuditLogTests(ApiFixture api)
{
    [Fact]
    public async Task Every_rpc_writes_exactly_one_record_allowed_or_denied()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var actor = TestRooms.Email(room.Id, PartyRole.Seller);
        var seller = api.As(actor);
        var before = await CountAsync(actor);

        var snapshot = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "t", Type = SnapshotType.Pdf })).Snapshot;
        await seller.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id });                                                // ok
        await seller.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = snapshot.Id });                            // ok
        await seller.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id });                                // ok
        await Fails(() => seller.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "t", Type = SnapshotType.Pdf }).ResponseAsync); // denied
        await Fails(() => seller.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id }).ResponseAsync);  // invalid
        await Fails(() => seller.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = TestRooms.UniqueId() }).ResponseAsync);        // not found
        await seller.Snapshots.GetTaskAsync(new GetTaskRequest { TaskId = snapshot.TaskId });                                    // ok
        await Fails(() => seller.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest()).ResponseAsync);                    // denied

        var records = await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE actor = @p0", actor);
        Assert.Equal(before + 8, records);
        var outcomes = await OutcomesAsync(actor);
        Assert.Equal(["ok", "ok", "ok", "permission_denied", "invalid_argument", "not_found", "ok", "permission_denied"], outcomes[^8..]);
    }

    [Fact]
    public async Task Denials_record_why()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var outsider = $"outsider@{room.Id}.test";
        await Fails(() => api.As(outsider).Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id }).ResponseAsync);

        var page = await api.Admin.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = room.Id, PageSize = 1 });

        var e = Assert.Single(page.Events);
        Assert.Equal(outsider, e.Actor);
        Assert.Equal("RoomService.GetRoom", e.Action);
        Assert.Equal("not_found", e.Outcome);
        Assert.Equal("caller is not a party to the room", e.Metadata["reason"]);
        Assert.NotEmpty(page.NextPageToken);
    }

    [Fact]
    public async Task Chain_verifies_after_concurrent_writers()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var owner = api.As(TestRooms.Email(room.Id, PartyRole.Owner));

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? owner.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id }).ResponseAsync
            : (Task)owner.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = $"c{i}", Type = SnapshotType.Json }).ResponseAsync));

        var records = await api.ScalarAsync<long>("SELECT count(*) FROM audit_log");
        var result = await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(result.Valid, result.Reason);
        Assert.Equal(records, result.Checked);
    }

    [Fact]
    public async Task An_altered_row_breaks_the_chain_at_that_row()
    {
        await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        var target = await api.ScalarAsync<long>("SELECT max(sequence) FROM audit_log") - 1;
        var original = await api.ScalarAsync<string>("SELECT outcome FROM audit_log WHERE sequence = @p0", target);
        try
        {
            await api.ExecuteAsync("UPDATE audit_log SET outcome = 'forged' WHERE sequence = @p0", target);

            var result = await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

            Assert.False(result.Valid);
            Assert.Equal(target, result.FirstBadSequence);
            Assert.Contains("altered", result.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await api.ExecuteAsync("UPDATE audit_log SET outcome = @p1 WHERE sequence = @p0", target, original!);
        }
        Assert.True((await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest())).Valid);
    }

    [Fact]
    public async Task A_removed_row_breaks_the_chain()
    {
        await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        var target = await api.ScalarAsync<long>("SELECT max(sequence) FROM audit_log") - 1;
        AuditRow removed;
        await using (var db = api.CreateDbContext())
            removed = await db.AuditLog.AsNoTracking().SingleAsync(a => a.Sequence == target);
        await api.ExecuteAsync("DELETE FROM audit_log WHERE sequence = @p0", target);
        try
        {
            var result = await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

            Assert.False(result.Valid);
            Assert.Equal(target + 1, result.FirstBadSequence);
            Assert.Contains("missing", result.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await using var db = api.CreateDbContext();
            db.AuditLog.Add(removed);
            await db.SaveChangesAsync();
        }
        Assert.True((await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest())).Valid);
    }

    [Fact]
    public async Task Two_replicas_writing_at_once_hold_no_lock_and_every_record_is_sealed_into_one_valid_chain()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var second = await api.StartApiAsync();
        try
        {
            var owners = new[] { api.As(TestRooms.Email(room.Id, PartyRole.Owner)), await api.ClientOfAsync(second, TestRooms.Email(room.Id, PartyRole.Owner)) };
            var before = await api.ScalarAsync<long>("SELECT count(*) FROM audit_log");

            // 32 calls at a time (16 on each replica), 200 in all: creates, reads and refusals.
            using var gate = new SemaphoreSlim(32);
            await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await ((i % 3) switch
                    {
                        0 => (Task)owners[i % 2].Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = $"w{i}", Type = SnapshotType.Csv }).ResponseAsync,
                        1 => owners[i % 2].Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id }).ResponseAsync,
                        _ => Fails(() => owners[i % 2].Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = Guid.NewGuid().ToString() }).ResponseAsync),
                    });
                }
                finally
                {
                    gate.Release();
                }
            }));

            Assert.Equal(before + 200, await api.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
            await SnapshotWaiting.EventuallyAsync(async () => await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE sequence IS NULL") == 0,
                TimeSpan.FromSeconds(10), "every record to be sealed");
            var result = await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
            Assert.True(result.Valid, result.Reason);
            Assert.Equal(before + 200, result.Checked);
            Assert.Equal(0, result.Unsealed);
            // One chain: positions 1..n, each once.
            Assert.Equal(await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE sequence IS NOT NULL"), await api.ScalarAsync<long>("SELECT max(sequence) FROM audit_log"));
        }
        finally
        {
            await api.StopAsync(second);
        }
    }

    [Fact]
    public async Task Removing_the_newest_records_is_detected_against_the_anchor_outside_the_database()
    {
        await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        // Wait until the head is anchored, so the anchor covers what is about to be removed.
        long head = 0;
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            head = await api.ScalarAsync<long>("SELECT coalesce(max(sequence), 0) FROM audit_log");
            var anchor = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(api.StorageRoot, "audit", "anchor.json")));
            return head > 3 && anchor.RootElement.GetProperty("Sequence").GetInt64() == head
                && await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE sequence IS NULL") == 0;
        }, TimeSpan.FromSeconds(15), "the chain head to be anchored");
        List<AuditRow> removed;
        await using (var db = api.CreateDbContext())
            removed = await db.AuditLog.AsNoTracking().Where(a => a.Sequence > head - 3).ToListAsync();
        await api.ExecuteAsync("DELETE FROM audit_log WHERE sequence > @p0", head - 3);
        try
        {
            var result = await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

            Assert.False(result.Valid);
            Assert.Matches("newest records were removed|rows are missing", result.Reason);
            Assert.True(result.AnchoredSequence >= head);
        }
        finally
        {
            await using var db = api.CreateDbContext();
            db.AuditLog.AddRange(removed);
            await db.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task An_unreadable_anchor_fails_verification_with_its_reason_not_an_internal_error()
    {
        await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        await SnapshotWaiting.EventuallyAsync(async () => await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE sequence IS NULL") == 0,
            TimeSpan.FromSeconds(15), "every record to be sealed");
        var path = Path.Combine(api.StorageRoot, "audit", "anchor.json");
        var good = await File.ReadAllBytesAsync(path);
        await File.WriteAllTextAsync(path, "{\"Sequence\": 12, \"Hash\": \"ab");
        try
        {
            var result = await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

            Assert.False(result.Valid);
            Assert.Contains("anchor.json) is unreadable", result.Reason);
        }
        finally
        {
            await File.WriteAllBytesAsync(path, good);
        }
    }

    private Task<long> CountAsync(string actor) => api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE actor = @p0", actor);

    private async Task<string[]> OutcomesAsync(string actor)
    {
        await using var db = api.CreateDbContext();
        return db.AuditLog.Where(a => a.Actor == actor).OrderBy(a => a.Id).Select(a => a.Outcome).ToArray();
    }

    private static async Task Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
}
