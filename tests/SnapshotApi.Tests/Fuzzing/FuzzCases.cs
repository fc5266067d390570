using Google.Protobuf;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Fuzzing;

/// <summary>What a planned case asks for. The Bulk* kinds are single payloads at or past the documented size limits.</summary>
public enum FuzzRpc
{
    UpsertRoom, AppendActivity, GetRoom, CreateSnapshot, GetSnapshot, ListSnapshots, DeleteSnapshot, GetTask, WatchSnapshot,
    DownloadSnapshot, ListAuditEvents, VerifyAuditChain, GetMetricsSummary, RawBytes,
    SetLegalHold, CreateSchedule, GetSchedule, ListSchedules, UpdateSchedule, DeleteSchedule, GetRoomRetention, SetRoomRetention, VerifyFile, DiffSnapshots,
    BulkRoomAtEveryLimit, BulkRoomPastDocumentLimit, BulkRoomPastActivityLimit, BulkRoomPastMessageLimit,
    BulkAppendAtLimit, BulkAppendPastLimit, BulkGetRoom, BulkCreateSnapshot,
}

/// <summary>One planned request: its place in the run, its kind, and the seed its content is drawn from.</summary>
public sealed record FuzzCase(int Index, FuzzRpc Rpc, int Seed);

/// <summary>A generated request, ready to send. <see cref="Readable"/> says whether the server can read it (parse it, within the size limit).</summary>
public sealed record FuzzCall(string Rpc, string Action, string Caller, bool Readable, Func<Task> Send, Func<string> Describe);

/// <summary>
/// Turns a planned case into a request. Each case draws from a <see cref="Hostile"/> seeded with its own seed,
/// so a case is the same whatever ran before it or beside it.
/// </summary>
public sealed class FuzzCases(FuzzScene scene, FuzzCallers callers, CallInvoker rawInvoker)
{
    /// <summary>The API's Grpc:MaxMessageBytes; larger requests are refused RESOURCE_EXHAUSTED before they are parsed.</summary>
    public const int ServerMaxMessageBytes = 16 * 1024 * 1024;

    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WatchDeadline = TimeSpan.FromSeconds(5);

    /// <summary>How many cases of each kind a run sends: 11,000 and more, every RPC, VerifyAuditChain only a few times (it reads the whole log).</summary>
    public static readonly (FuzzRpc Rpc, int Count)[] Counts =
    [
        (FuzzRpc.UpsertRoom, 1_100), (FuzzRpc.AppendActivity, 800), (FuzzRpc.GetRoom, 1_100), (FuzzRpc.CreateSnapshot, 1_200),
        (FuzzRpc.GetSnapshot, 900), (FuzzRpc.ListSnapshots, 1_000), (FuzzRpc.DeleteSnapshot, 600), (FuzzRpc.GetTask, 800),
        (FuzzRpc.WatchSnapshot, 500), (FuzzRpc.DownloadSnapshot, 600), (FuzzRpc.ListAuditEvents, 700), (FuzzRpc.VerifyAuditChain, 3),
        (FuzzRpc.GetMetricsSummary, 500), (FuzzRpc.RawBytes, 450),
        (FuzzRpc.SetLegalHold, 250), (FuzzRpc.CreateSchedule, 450), (FuzzRpc.GetSchedule, 200), (FuzzRpc.ListSchedules, 200),
        (FuzzRpc.UpdateSchedule, 350), (FuzzRpc.DeleteSchedule, 150), (FuzzRpc.GetRoomRetention, 100), (FuzzRpc.SetRoomRetention, 150),
        (FuzzRpc.VerifyFile, 500), (FuzzRpc.DiffSnapshots, 500),
        (FuzzRpc.BulkRoomAtEveryLimit, 1), (FuzzRpc.BulkRoomPastDocumentLimit, 1), (FuzzRpc.BulkRoomPastActivityLimit, 1),
        (FuzzRpc.BulkRoomPastMessageLimit, 1), (FuzzRpc.BulkAppendAtLimit, 2), (FuzzRpc.BulkAppendPastLimit, 1),
        (FuzzRpc.BulkGetRoom, 1), (FuzzRpc.BulkCreateSnapshot, 1),
    ];

    /// <summary>The run's cases in sending order: the kinds shuffled, each given a seed, all from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<FuzzCase> Plan(int seed)
    {
        var rng = new Random(seed);
        var kinds = Counts.SelectMany(c => Enumerable.Repeat(c.Rpc, c.Count)).ToArray();
        rng.Shuffle(kinds);
        return kinds.Select((kind, i) => new FuzzCase(i, kind, rng.Next())).ToList();
    }

    public FuzzCall Build(FuzzCase c)
    {
        var h = new Hostile(c.Seed);
        return c.Rpc switch
        {
            FuzzRpc.UpsertRoom => UpsertRoom(h),
            FuzzRpc.AppendActivity => AppendActivity(h),
            FuzzRpc.GetRoom => Typed("RoomService.GetRoom", callers.Pick(h), new GetRoomRequest { RoomId = RoomId(h) },
                (client, r) => client.Rooms.GetRoomAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.CreateSnapshot => CreateSnapshot(h),
            FuzzRpc.GetSnapshot => Typed("SnapshotService.GetSnapshot", callers.Pick(h), new GetSnapshotRequest { SnapshotId = h.Uuid(scene.SnapshotIds) },
                (client, r) => client.Snapshots.GetSnapshotAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.ListSnapshots => ListSnapshots(h),
            FuzzRpc.DeleteSnapshot => Typed("SnapshotService.DeleteSnapshot", callers.Pick(h), new DeleteSnapshotRequest { SnapshotId = h.Uuid(scene.DeletableSnapshotIds) },
                (client, r) => client.Snapshots.DeleteSnapshotAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.GetTask => Typed("SnapshotService.GetTask", callers.Pick(h), new GetTaskRequest { TaskId = h.Uuid(h.Chance(0.8) ? scene.TaskIds : scene.SnapshotIds) },
                (client, r) => client.Snapshots.GetTaskAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.WatchSnapshot => Typed("SnapshotService.WatchSnapshot", callers.Pick(h), new WatchSnapshotRequest { SnapshotId = h.Uuid(scene.SnapshotIds) }, WatchFirstAsync),
            FuzzRpc.DownloadSnapshot => Typed("SnapshotService.DownloadSnapshot", callers.Pick(h), new DownloadSnapshotRequest { SnapshotId = h.Uuid(scene.SnapshotIds) }, DownloadAllAsync),
            FuzzRpc.ListAuditEvents => ListAuditEvents(h),
            FuzzRpc.VerifyAuditChain => Typed("AuditService.VerifyAuditChain", h.Chance(0.7) ? callers.Admin : callers.Pick(h), new VerifyAuditChainRequest(),
                (client, r) => client.Audit.VerifyAuditChainAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.GetMetricsSummary => Typed("AdminService.GetMetricsSummary", callers.Pick(h), new GetMetricsSummaryRequest
                {
                    Hours = h.Rng.Next(3) switch { 0 => h.Pick([0, 1, 24, 720, 721, -1]), 1 => h.Number(), _ => h.Rng.Next(0, 721) },
                },
                (client, r) => client.Operations.GetMetricsSummaryAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.RawBytes => RawBytes(h),
            FuzzRpc.VerifyFile => Typed("SnapshotService.VerifyFile", callers.Pick(h), new VerifyFileRequest
                {
                    Sha256 = h.Rng.Next(10) switch
                    {
                        < 4 => h.Pick(scene.FileHashes),
                        < 6 => Convert.ToHexString(h.Bytes(32)),
                        6 => Convert.ToHexString(h.Bytes(h.Rng.Next(0, 40))),
                        _ => h.Text(),
                    },
                },
                (client, r) => client.Snapshots.VerifyFileAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.DiffSnapshots => Typed("SnapshotService.DiffSnapshots", callers.Pick(h), new DiffSnapshotsRequest
                {
                    BaseSnapshotId = h.Uuid(scene.SnapshotIds),
                    TargetSnapshotId = h.Uuid(scene.SnapshotIds),
                    PageSize = PageSize(h),
                    PageToken = h.Chance(0.8) ? "" : h.PageToken([]),
                },
                (client, r) => client.Snapshots.DiffSnapshotsAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.SetLegalHold => Typed("SnapshotService.SetLegalHold", callers.Pick(h),
                new SetLegalHoldRequest { SnapshotId = h.Uuid(scene.SnapshotIds), Hold = h.Chance(0.6), Reason = h.Or("Litigation hold", 0.6) },
                (client, r) => client.Snapshots.SetLegalHoldAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.CreateSchedule => Typed("ScheduleService.CreateSchedule", callers.Pick(h),
                new CreateScheduleRequest { Schedule = h.Chance(0.04) ? null : FuzzSchedules.Schedule(h, h.Chance(0.6) ? h.Pick(scene.PoolRoomIds) : RoomId(h)) },
                (client, r) => client.Schedules.CreateScheduleAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.GetSchedule => Typed("ScheduleService.GetSchedule", callers.Pick(h), new GetScheduleRequest { ScheduleId = h.Uuid(scene.ScheduleIds) },
                (client, r) => client.Schedules.GetScheduleAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.ListSchedules => ListSchedules(h),
            FuzzRpc.UpdateSchedule => Typed("ScheduleService.UpdateSchedule", callers.Pick(h), FuzzSchedules.Update(h, h.Uuid(scene.ScheduleIds)),
                (client, r) => client.Schedules.UpdateScheduleAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.DeleteSchedule => Typed("ScheduleService.DeleteSchedule", callers.Pick(h),
                new DeleteScheduleRequest { ScheduleId = h.Uuid(scene.ScheduleIds), Etag = h.Chance(0.7) ? "" : h.Or("1", 0.5) },
                (client, r) => client.Schedules.DeleteScheduleAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.GetRoomRetention => Typed("ScheduleService.GetRoomRetention", callers.Pick(h), new GetRoomRetentionRequest { RoomId = RoomId(h) },
                (client, r) => client.Schedules.GetRoomRetentionAsync(r, deadline: Deadline()).ResponseAsync),
            FuzzRpc.SetRoomRetention => Typed("ScheduleService.SetRoomRetention", callers.Pick(h),
                new SetRoomRetentionRequest { Retention = h.Chance(0.04) ? null : new RoomRetention { RoomId = RoomId(h), ManualMaxAge = h.Chance(0.2) ? null : FuzzSchedules.Duration(h) } },
                (client, r) => client.Schedules.SetRoomRetentionAsync(r, deadline: Deadline()).ResponseAsync),
            _ => Bulk(h, c.Rpc),
        };
    }

    private FuzzCall UpsertRoom(Hostile h)
    {
        var caller = callers.Pick(h, writer: true);
        var room = FuzzRooms.Valid(h, h.Chance(0.7) ? h.Pick(scene.PoolRoomIds) : $"fuzz-new-{h.Rng.Next(1_000)}", scene.PartyEmails);
        for (var mutations = h.Rng.Next(4); mutations > 0; mutations--) FuzzRooms.Mutate(h, room);
        var request = new UpsertRoomRequest { Room = h.Chance(0.03) ? null : room };
        return Typed("RoomService.UpsertRoom", caller, request, (client, r) => client.Rooms.UpsertRoomAsync(r, deadline: Deadline()).ResponseAsync);
    }

    private FuzzCall AppendActivity(Hostile h)
    {
        var caller = callers.Pick(h, writer: true);
        var request = new AppendActivityRequest
        {
            RoomId = h.Rng.Next(10) switch { < 6 => h.Pick(scene.PoolRoomIds), 6 => h.Pick(scene.MissingRoomIds), _ => h.Text() },
        };
        var count = h.Rng.Next(100) switch { < 5 => 0, < 95 => h.Rng.Next(1, 6), _ => h.Rng.Next(20, 300) };
        for (var i = 0; i < count; i++) request.Activities.Add(FuzzRooms.ValidActivity(h));
        if (count > 0 && h.Chance(0.4)) FuzzRooms.MutateActivity(h, request.Activities[h.Rng.Next(count)]);
        return Typed("RoomService.AppendActivity", caller, request, (client, r) => client.Rooms.AppendActivityAsync(r, deadline: Deadline()).ResponseAsync);
    }

    private FuzzCall CreateSnapshot(Hostile h)
    {
        var request = new CreateSnapshotRequest
        {
            RoomId = h.Chance(0.5) ? h.Pick(scene.PoolRoomIds) : RoomId(h),
            Title = h.Or("Fuzz snapshot", 0.7),
            Type = h.Enum<SnapshotType>(),
            Priority = h.Enum<SnapshotPriority>(),
            Options = h.Chance(0.4) ? null : new SnapshotOptions
            {
                IncludeDocuments = h.Chance(0.7),
                IncludeActivity = h.Chance(0.5),
                IncludeApprovals = h.Chance(0.5),
                ActivityLimit = h.Rng.Next(3) switch { 0 => 0, 1 => h.Pick([1, 100, 50_000, 50_001]), _ => h.Number() },
                Watermark = h.Rng.Next(4) switch { 0 => "CONFIDENTIAL", 1 => h.Text(), _ => "" },
                CompareToSnapshotId = h.Chance(0.7) ? "" : h.Uuid(scene.SnapshotIds),
            },
            RequestId = h.Rng.Next(10) switch { < 5 => "", < 7 => h.Pick(scene.RequestIds), < 9 => h.RandomGuid().ToString("D"), _ => h.Uuid([]) },
        };
        return Typed("SnapshotService.CreateSnapshot", callers.Pick(h), request, (client, r) => client.Snapshots.CreateSnapshotAsync(r, deadline: Deadline()).ResponseAsync);
    }

    private FuzzCall ListSnapshots(Hostile h)
    {
        var request = new ListSnapshotsRequest
        {
            RoomId = RoomId(h),
            PageSize = PageSize(h),
            Status = h.Chance(0.7) ? SnapshotStatus.Unspecified : h.Enum<SnapshotStatus>(),
            Type = h.Chance(0.7) ? SnapshotType.Unspecified : h.Enum<SnapshotType>(),
            CreatedBy = h.Rng.Next(10) switch { < 6 => "", 6 => ApiFixture.AdminEmail, 7 => h.Pick(scene.PartyEmails), _ => h.Text() },
        };
        request.PageToken = PageToken(h, scene.SnapshotPageTokens, roomId =>
        {
            // A real token sent back with the filters it was issued for, so that paging itself gets exercised.
            request.RoomId = roomId;
            request.Status = SnapshotStatus.Unspecified;
            request.Type = SnapshotType.Unspecified;
            request.CreatedBy = "";
        });
        return Typed("SnapshotService.ListSnapshots", callers.Pick(h), request, (client, r) => client.Snapshots.ListSnapshotsAsync(r, deadline: Deadline()).ResponseAsync);
    }

    private FuzzCall ListSchedules(Hostile h)
    {
        var request = new ListSchedulesRequest { RoomId = RoomId(h), PageSize = PageSize(h) };
        request.PageToken = PageToken(h, scene.SchedulePageTokens, roomId => request.RoomId = roomId);
        return Typed("ScheduleService.ListSchedules", callers.Pick(h), request, (client, r) => client.Schedules.ListSchedulesAsync(r, deadline: Deadline()).ResponseAsync);
    }

    private FuzzCall ListAuditEvents(Hostile h)
    {
        var request = new ListAuditEventsRequest { RoomId = h.Chance(0.4) ? "" : RoomId(h), PageSize = PageSize(h) };
        request.PageToken = PageToken(h, scene.AuditPageTokens, roomId => request.RoomId = roomId);
        return Typed("AuditService.ListAuditEvents", callers.Pick(h), request, (client, r) => client.Audit.ListAuditEventsAsync(r, deadline: Deadline()).ResponseAsync);
    }

    private FuzzCall RawBytes(Hostile h)
    {
        var target = h.Pick(RawRequests.Targets);
        var caller = h.Chance(0.8) ? callers.Admin : callers.Pick(h);
        var (kind, payload) = RawRequests.Payload(h, target, scene);
        var headers = new Metadata();
        if (caller.Token is { } token) headers.Add("authorization", $"Bearer {token}");
        return new FuzzCall($"{target.Action} (raw bytes)", target.Action, caller.Name, target.Parses(payload),
            () => rawInvoker.AsyncUnaryCall(target.Method, null, new CallOptions(headers, Deadline()), payload).ResponseAsync,
            () => $"{kind}: {Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, 96)))}{(payload.Length > 96 ? $"... ({payload.Length} bytes)" : "")}");
    }

    private FuzzCall Bulk(Hostile h, FuzzRpc kind)
    {
        Task Upsert(ApiClient client, UpsertRoomRequest r) => client.Rooms.UpsertRoomAsync(r, deadline: Deadline()).ResponseAsync;
        Task Append(ApiClient client, AppendActivityRequest r) => client.Rooms.AppendActivityAsync(r, deadline: Deadline()).ResponseAsync;
        switch (kind)
        {
            case FuzzRpc.BulkRoomAtEveryLimit:
                return Typed("RoomService.UpsertRoom", callers.Platform, new UpsertRoomRequest { Room = FuzzRooms.AtEveryLimit(h, FuzzScene.BulkRoomId) }, Upsert);
            case FuzzRpc.BulkRoomPastDocumentLimit:
                var documents = FuzzRooms.Valid(h, "fuzz-bulk-documents", scene.PartyEmails);
                documents.Documents.Clear();
                documents.Documents.Add(FuzzRooms.Documents(h, 5_001));
                return Typed("RoomService.UpsertRoom", callers.Platform, new UpsertRoomRequest { Room = documents }, Upsert);
            case FuzzRpc.BulkRoomPastActivityLimit:
                var activities = FuzzRooms.Valid(h, "fuzz-bulk-activities", scene.PartyEmails);
                activities.Activities.Clear();
                activities.Activities.Add(Enumerable.Range(0, 50_001).Select(_ => FuzzRooms.ValidActivity(h)));
                return Typed("RoomService.UpsertRoom", callers.Platform, new UpsertRoomRequest { Room = activities }, Upsert);
            case FuzzRpc.BulkRoomPastMessageLimit:
                var oversized = FuzzRooms.Valid(h, "fuzz-bulk-oversized", scene.PartyEmails);
                oversized.Title = new string('T', ServerMaxMessageBytes + 1_000_000);
                return Typed("RoomService.UpsertRoom", callers.Platform, new UpsertRoomRequest { Room = oversized }, Upsert);
            case FuzzRpc.BulkAppendAtLimit:
            case FuzzRpc.BulkAppendPastLimit:
                var append = new AppendActivityRequest { RoomId = FuzzScene.BulkRoomId };
                append.Activities.Add(Enumerable.Range(0, kind == FuzzRpc.BulkAppendAtLimit ? 10_000 : 10_001).Select(_ => FuzzRooms.ValidActivity(h)));
                return Typed("RoomService.AppendActivity", callers.Platform, append, Append);
            case FuzzRpc.BulkGetRoom:
                return Typed("RoomService.GetRoom", callers.Admin, new GetRoomRequest { RoomId = FuzzScene.BulkRoomId },
                    (client, r) => client.Rooms.GetRoomAsync(r, deadline: Deadline()).ResponseAsync);
            case FuzzRpc.BulkCreateSnapshot:
                return Typed("SnapshotService.CreateSnapshot", callers.Admin,
                    new CreateSnapshotRequest { RoomId = FuzzScene.BulkRoomId, Title = "Bulk", Type = SnapshotType.Json },
                    (client, r) => client.Snapshots.CreateSnapshotAsync(r, deadline: Deadline()).ResponseAsync);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "No generator for this kind.");
        }
    }

    private string RoomId(Hostile h) => h.Rng.Next(10) switch
    {
        < 5 => h.Pick(scene.PoolRoomIds),
        5 => FuzzScene.AnchorRoomId,
        6 => h.Pick(scene.MissingRoomIds),
        _ => h.Text(),
    };

    private static int PageSize(Hostile h) => h.Rng.Next(4) switch
    {
        0 => h.Pick([0, 1, 2, 50, 1_000, 1_001, int.MaxValue]),
        1 => h.Number(),
        _ => h.Rng.Next(0, 20),
    };

    /// <summary>No token, a real one with its own filters (<paramref name="matchFilters"/>), or a hostile one.</summary>
    private static string PageToken(Hostile h, IReadOnlyList<(string RoomId, string Token)> real, Action<string> matchFilters)
    {
        switch (h.Rng.Next(10))
        {
            case < 4:
                return "";
            case < 6:
                var (roomId, token) = h.Pick(real);
                matchFilters(roomId);
                return token;
            default:
                return h.PageToken(real.Select(t => t.Token).ToList());
        }
    }

    private static async Task WatchFirstAsync(ApiClient client, WatchSnapshotRequest request)
    {
        // The first message (or the error) is all a fuzz case needs; disposing the call cancels the stream.
        using var call = client.Snapshots.WatchSnapshot(request, deadline: DateTime.UtcNow + WatchDeadline);
        await call.ResponseStream.MoveNext(CancellationToken.None);
    }

    private static async Task DownloadAllAsync(ApiClient client, DownloadSnapshotRequest request)
    {
        using var call = client.Snapshots.DownloadSnapshot(request, deadline: Deadline());
        await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallDeadline;

    private static FuzzCall Typed<TRequest>(string action, FuzzCaller caller, TRequest request, Func<ApiClient, TRequest, Task> send)
        where TRequest : IMessage =>
        new(action, action, caller.Name, request.CalculateSize() <= ServerMaxMessageBytes, () => send(caller.Client, request), () => Describe(request));

    /// <summary>The request as the server decoded it (lone surrogates already U+FFFD), long strings cut short, as JSON.</summary>
    private static string Describe(IMessage request)
    {
        var bytes = request.ToByteArray();
        var decoded = request.Descriptor.Parser.ParseFrom(bytes);
        Abbreviate(decoded);
        string text;
        try
        {
            text = JsonFormatter.Default.Format(decoded);
        }
        catch (ArgumentException)
        {
            // Describing a failure must never end the run; the wire form always exists.
            text = "protobuf " + Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 300)));
        }
        return text.Length <= 600 ? text : $"{text[..600]}... ({text.Length} characters)";
    }

    private static void Abbreviate(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (value is string { Length: > 60 } text)
                field.Accessor.SetValue(message, $"{text[..(char.IsHighSurrogate(text[39]) ? 39 : 40)]}...[{text.Length} characters]");
            else if (value is IMessage child)
                Abbreviate(child);
            else if (value is System.Collections.IList list)
                foreach (var item in list.OfType<IMessage>().Take(20)) Abbreviate(item);
        }
    }
}
