using System.Security.Cryptography;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Fuzzing;

/// <summary>
/// The live state the generated requests point into: rooms with parties, snapshots in every status the API
/// can reach without a worker, their tasks, and real page tokens. Fixed ids, so that a seed names the same
/// rooms in every run (each run has a database of its own).
/// </summary>
public sealed record FuzzScene(
    Room Anchor,
    IReadOnlyList<string> PoolRoomIds,
    IReadOnlyList<string> MissingRoomIds,
    IReadOnlyList<string> PartyEmails,
    IReadOnlyList<string> SnapshotIds,
    IReadOnlyList<string> DeletableSnapshotIds,
    IReadOnlyList<string> TaskIds,
    IReadOnlyList<string> RequestIds,
    IReadOnlyList<(string RoomId, string Token)> SnapshotPageTokens,
    IReadOnlyList<(string RoomId, string Token)> AuditPageTokens,
    IReadOnlyList<string> ScheduleIds,
    IReadOnlyList<(string RoomId, string Token)> SchedulePageTokens,
    IReadOnlyList<string> FileHashes)
{
    /// <summary>Read by the final health check and never written by the fuzzer.</summary>
    public const string AnchorRoomId = "fuzz-anchor";

    /// <summary>Takes the payloads at the documented limits; kept out of the pool so ordinary snapshots stay small.</summary>
    public const string BulkRoomId = "fuzz-bulk";

    public static readonly string[] Pool = ["fuzz-pool-0", "fuzz-pool-1", "fuzz-pool-2", "fuzz-pool-3"];

    public static readonly string[] Parties = FuzzRooms.Parties;

    public static async Task<FuzzScene> CreateAsync(ApiFixture api, int seed)
    {
        var anchor = TestRooms.WithEveryRole(AnchorRoomId);
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = anchor });
        var h = new Hostile(seed);
        for (var i = 0; i < Pool.Length; i++)
        {
            var room = FuzzRooms.Valid(h, Pool[i], Parties);
            // Every party in every pool room, with a role that differs from room to room.
            room.Parties.Clear();
            for (var p = 0; p < Parties.Length; p++)
                room.Parties.Add(new Party { Email = Parties[p], Role = TestRooms.Roles[(p + i) % TestRooms.Roles.Length], Name = $"Party {p}" });
            await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        }
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = FuzzRooms.Valid(h, BulkRoomId, Parties) });

        var snapshots = new List<Snapshot>();
        var requestIds = new List<string>();
        for (var i = 0; i < Pool.Length; i++)
        {
            var roomId = Pool[i];
            var requestId = h.RandomGuid().ToString("D");
            requestIds.Add(requestId);
            snapshots.Add((await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
                { RoomId = roomId, Title = "Fuzz PDF", Type = SnapshotType.Pdf, RequestId = requestId })).Snapshot);
            snapshots.Add((await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
                { RoomId = roomId, Title = "Fuzz JSON", Type = SnapshotType.Json })).Snapshot);
            // The room's owner, so that created_by filters have a party to find.
            var owner = Parties[(TestRooms.Roles.Length - i) % TestRooms.Roles.Length];
            snapshots.Add((await api.As(owner).Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest
                { RoomId = roomId, Title = "Fuzz CSV", Type = SnapshotType.Csv, Options = new SnapshotOptions { IncludeDocuments = true } })).Snapshot);
        }

        // Forced statuses must not overtake the relay: a snapshot deleted before its message is sent would be a
        // test-made inconsistency, not the service's.
        await SnapshotWaiting.EventuallyAsync(async () => await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0,
            TimeSpan.FromSeconds(30), "the outbox relay to publish the scene's snapshots");
        // Two snapshots to download (one whose file fails its hash) that deletes never target, so downloads keep
        // finding them; and a completed and a failed one that deletes may remove.
        var downloadable = new[] { snapshots[0].Id, snapshots[3].Id };
        await CompleteAsync(api, snapshots[0], matchingHash: true);
        await CompleteAsync(api, snapshots[3], matchingHash: false);
        await CompleteAsync(api, snapshots[6], matchingHash: true);
        await api.ExecuteAsync("UPDATE snapshots SET status = 'failed', error = 'fuzz' WHERE id = @p0", Guid.Parse(snapshots[9].Id));

        var snapshotTokens = new List<(string, string)>();
        foreach (var roomId in Pool)
        {
            var page = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = roomId, PageSize = 1 });
            snapshotTokens.Add((roomId, page.NextPageToken));
        }
        var auditTokens = new List<(string, string)>
        {
            ("", (await api.Admin.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 2 })).NextPageToken),
            (Pool[0], (await api.Admin.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = Pool[0], PageSize = 1 })).NextPageToken),
        };

        // Schedules to read, change and delete (the fixture's replica runs none of them).
        var schedules = new List<string>();
        foreach (var roomId in Pool.Take(2))
        {
            for (var i = 0; i < 2; i++)
            {
                schedules.Add((await api.Admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest
                {
                    Schedule = new Schedule { RoomId = roomId, Interval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromHours(6 + i)), Type = SnapshotType.Json },
                })).Schedule.Id);
            }
        }
        var scheduleTokens = new List<(string, string)>();
        foreach (var roomId in Pool.Take(2))
            scheduleTokens.Add((roomId, (await api.Admin.Schedules.ListSchedulesAsync(new ListSchedulesRequest { RoomId = roomId, PageSize = 1 })).NextPageToken));

        return new FuzzScene(
            anchor,
            Pool,
            ["fuzz-missing", "no-such-room", "fuzz-pool-9"],
            [.. Parties, .. TestRooms.Roles.Select(r => TestRooms.Email(AnchorRoomId, r))],
            snapshots.Select(s => s.Id).ToList(),
            snapshots.Select(s => s.Id).Except(downloadable).ToList(),
            snapshots.Select(s => s.TaskId).ToList(),
            requestIds,
            snapshotTokens,
            auditTokens,
            schedules,
            scheduleTokens,
            // The completed snapshots' files (one hash is theirs, one is the forced mismatch), in both cases.
            [CompletedFileHash, CompletedFileHash.ToUpperInvariant(), new string('0', 64)]);
    }

    private static readonly string CompletedFileHash = Convert.ToHexStringLower(SHA256.HashData("{\"fuzz\":true}\n"u8));

    /// <summary>Does what a worker would: stores a file and marks the snapshot COMPLETED (with a wrong hash if asked).</summary>
    private static async Task CompleteAsync(ApiFixture api, Snapshot snapshot, bool matchingHash)
    {
        var bytes = "{\"fuzz\":true}\n"u8.ToArray();
        var key = $"rooms/{snapshot.RoomId}/{snapshot.Id}.json";
        var path = Path.Combine(api.StorageRoot, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes);
        var sha = matchingHash ? Convert.ToHexStringLower(SHA256.HashData(bytes)) : new string('0', 64);
        await api.ExecuteAsync(
            "UPDATE snapshots SET status = 'completed', progress = 100, file_key = @p1, size_bytes = @p2, sha256 = @p3, completed_at = now() WHERE id = @p0",
            Guid.Parse(snapshot.Id), key, (long)bytes.Length, sha);
    }
}
