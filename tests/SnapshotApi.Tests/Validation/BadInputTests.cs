using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Sts.Api.V1;
using Xunit.Abstractions;

namespace Sts.SnapshotApi.Tests.Validation;

/// <summary>
/// Bad input on every implemented RPC gets INVALID_ARGUMENT with a google.rpc.BadRequest naming the field.
/// Every case is sent by a caller who would otherwise be allowed, so nothing but validation can reject it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputTests(ApiFixture api)
{
    private static readonly ConditionalWeakTable<ApiFixture, Task<Scene>> Scenes = new();

    public static TheoryData<BadInput> Cases => new(BadInput.All.Values);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_rejected_with_a_field_violation(BadInput input)
    {
        var scene = await SceneAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => input.Send(api, scene));

        Assert.True(ex.StatusCode == StatusCode.InvalidArgument, $"Expected InvalidArgument, got {ex.StatusCode}: {ex.Status.Detail}");
        var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        var fields = badRequest.FieldViolations.Select(v => v.Field).ToList();
        Assert.True(fields.Contains(input.Field), $"Expected a violation of '{input.Field}', got: {string.Join(", ", fields)}");
    }

    [Fact]
    public async Task Bad_requests_leave_the_database_unchanged()
    {
        var scene = await SceneAsync();
        var before = await CountRowsAsync();

        var accepted = new List<string>();
        foreach (var input in BadInput.All.Values)
        {
            try
            {
                await input.Send(api, scene);
                accepted.Add(input.Name);
            }
            catch (RpcException)
            {
                // Rejected, as it should be; the point is what the database says afterwards.
            }
        }

        var after = await CountRowsAsync();
        Assert.True(before == after, $"Row counts changed from [{before}] to [{after}]; accepted: {string.Join("; ", accepted)}");
    }

    [Fact]
    public async Task Bad_request_is_audited_as_invalid_argument()
    {
        var scene = await SceneAsync();
        const string actor = "bad-input-auditor@sts.test";

        var ex = await Assert.ThrowsAsync<RpcException>(() => api.As(actor, "admin").Snapshots.CreateSnapshotAsync(
            new CreateSnapshotRequest { RoomId = scene.Room.Id, Title = "", Type = SnapshotType.Pdf }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(1, await api.ScalarAsync<long>("select count(*) from audit_log where actor = @p0", actor));
        Assert.Equal("SnapshotService.CreateSnapshot invalid_argument", await api.ScalarAsync<string>(
            "select action || ' ' || outcome from audit_log where actor = @p0 order by id desc limit 1", actor));
    }

    [Fact]
    public async Task Room_at_the_documented_limits_is_accepted()
    {
        var id = ("max-" + Guid.NewGuid().ToString("N") + new string('x', 64))[..64];
        var room = TestRooms.WithEveryRole(id);
        room.Title = new string('T', 200);
        room.Location = new string('L', 200);
        while (room.Vessels.Count < 10)
            room.Vessels.Add(new Vessel { Name = $"MT Extra {room.Vessels.Count}", Imo = $"{9200000 + room.Vessels.Count}", Role = VesselRole.Daughter });
        const string notes = "Line one\r\n\tindented ";
        room.Documents[0].Notes = notes + new string('n', 4000 - notes.Length);
        room.Activities[0].Action = "a" + new string('b', 63);

        var summary = (await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room })).Room;

        Assert.Equal(id, summary.Id);
        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = id })).Room;
        Assert.Equal(200, stored.Title.Length);
        Assert.Equal(10, stored.Vessels.Count);
        Assert.Equal(4000, stored.Documents[0].Notes.Length);
    }

    [Fact]
    public async Task Snapshot_at_the_documented_limits_is_accepted()
    {
        var scene = await SceneAsync();
        var request = new CreateSnapshotRequest
        {
            RoomId = scene.Room.Id,
            Title = new string('S', 200),
            Type = SnapshotType.Json,
            Options = new SnapshotOptions { IncludeActivity = true, ActivityLimit = 50_000 },
        };

        var snapshot = (await api.Admin.Snapshots.CreateSnapshotAsync(request)).Snapshot;

        Assert.Equal(SnapshotStatus.Queued, snapshot.Status);
        Assert.Equal(200, snapshot.Title.Length);
        Assert.Equal(50_000, snapshot.Options.ActivityLimit);
    }

    [Fact]
    public async Task Append_of_exactly_10000_entries_is_accepted()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var request = new AppendActivityRequest { RoomId = room.Id };
        request.Activities.AddRange(Enumerable.Range(0, 10_000).Select(_ => BadInput.ValidActivity()));

        var summary = (await api.Platform.Rooms.AppendActivityAsync(request)).Room;

        Assert.Equal(10_001, summary.ActivityCount);
    }

    [Fact]
    public async Task Page_size_above_the_maximum_is_reduced_not_rejected()
    {
        var scene = await SceneAsync();

        var page = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = scene.Room.Id, PageSize = int.MaxValue });
        var events = await api.Admin.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = scene.Room.Id, PageSize = 5000 });

        Assert.True(page.Snapshots.Count >= 2);
        Assert.NotEmpty(events.Events);
    }

    [Theory]
    [InlineData(-62135596800L, 0)]
    [InlineData(253402300799L, 999_999_999)]
    public async Task Timestamps_at_the_protobuf_bounds_are_accepted(long seconds, int nanos)
    {
        var room = TestRooms.WithEveryRole();
        room.StsEta = new Timestamp { Seconds = seconds, Nanos = nanos };

        var summary = (await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room })).Room;

        Assert.Equal(1, summary.Version);
    }

    private Task<Scene> SceneAsync() => Scenes.GetValue(api, Scene.CreateAsync);

    private async Task<string> CountRowsAsync() => (await api.ScalarAsync<string>(
        """
        select concat_ws(', ',
            'rooms=' || (select count(*) from rooms),
            'parties=' || (select count(*) from room_parties),
            'activities=' || (select count(*) from room_activities),
            'snapshots=' || (select count(*) from snapshots),
            'tasks=' || (select count(*) from tasks),
            'outbox=' || (select count(*) from outbox),
            'schedules=' || (select count(*) from schedules),
            'held=' || (select count(*) from snapshots where legal_hold_at is not null),
            'room_retention=' || (select count(*) from room_retention))
        """))!;

    /// <summary>What the cases need from a live service: real rooms, real snapshots and real page tokens.</summary>
    public sealed record Scene(Room Room, Room OtherRoom, string UsedRequestId, string SnapshotPageToken, string AuditPageToken, string SnapshotId, string ScheduleId)
    {
        public static async Task<Scene> CreateAsync(ApiFixture api)
        {
            var room = TestRooms.WithEveryRole(TestRooms.UniqueId("bad-input"));
            var other = TestRooms.WithEveryRole(TestRooms.UniqueId("bad-other"));
            await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = other });

            var requestId = Guid.NewGuid().ToString("D");
            await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "First", Type = SnapshotType.Pdf, RequestId = requestId });
            var second = (await api.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "Second", Type = SnapshotType.Json })).Snapshot;
            var schedule = (await api.Admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest
            {
                Schedule = new Schedule { RoomId = room.Id, Interval = Duration.FromTimeSpan(TimeSpan.FromHours(6)), Type = SnapshotType.Pdf },
            })).Schedule;

            var snapshots = await api.Admin.Snapshots.ListSnapshotsAsync(new ListSnapshotsRequest { RoomId = room.Id, PageSize = 1 });
            var events = await api.Admin.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = room.Id, PageSize = 1 });
            if (snapshots.NextPageToken.Length == 0 || events.NextPageToken.Length == 0)
                throw new InvalidOperationException("The scene needs a second page of snapshots and of audit events.");
            return new Scene(room, other, requestId, snapshots.NextPageToken, events.NextPageToken, second.Id, schedule.Id);
        }
    }
}

/// <summary>One bad request: a name, who sends what, and the field path the BadRequest must name.</summary>
public sealed class BadInput : IXunitSerializable
{
    private const string Traversal = "../../etc/passwd";

    // Declared before All, whose initialiser reads it.
    private static readonly string Chars65 = new('a', 65);

    public static readonly IReadOnlyDictionary<string, BadInput> All = Table().ToDictionary(c => c.Name);

    /// <summary>For the deserializer only.</summary>
    public BadInput() { }

    private BadInput(string name, string field, Func<ApiFixture, BadInputTests.Scene, Task> send)
    {
        Name = name;
        Field = field;
        Send = send;
    }

    public string Name { get; private set; } = "";

    public string Field { get; private set; } = "";

    public Func<ApiFixture, BadInputTests.Scene, Task> Send { get; private set; } = (_, _) => Task.CompletedTask;

    public override string ToString() => Name;

    public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Name), Name);

    public void Deserialize(IXunitSerializationInfo info)
    {
        var found = All[info.GetValue<string>(nameof(Name))];
        (Name, Field, Send) = (found.Name, found.Field, found.Send);
    }

    public static Activity ValidActivity() => new()
    {
        At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero)),
        Actor = "broker@example.com",
        Action = "message.posted",
        Detail = "Fenders rigged",
    };

    private static IEnumerable<BadInput> Table()
    {
        // RoomService.UpsertRoom, as the platform principal with rooms:write.
        yield return new("UpsertRoom without a room", "room", (api, _) => api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest()).ResponseAsync);
        yield return Room("UpsertRoom with an empty room id", "room.id", r => r.Id = "");
        yield return Room("UpsertRoom with a room id of 65 characters", "room.id", r => r.Id = Chars65);
        yield return Room("UpsertRoom with a path-traversal room id", "room.id", r => r.Id = Traversal);
        yield return Room("UpsertRoom with a slash in the room id", "room.id", r => r.Id = "a/b");
        yield return Room("UpsertRoom with a room id starting with a dot", "room.id", r => r.Id = ".hidden");
        yield return Room("UpsertRoom with a room id starting with a dash", "room.id", r => r.Id = "-room");
        yield return Room("UpsertRoom with dots in the room id", "room.id", r => r.Id = "room..x");
        yield return Room("UpsertRoom with a space in the room id", "room.id", r => r.Id = "room 1");
        yield return Room("UpsertRoom with a non-ASCII room id", "room.id", r => r.Id = "r\u00fcm-1");
        yield return Room("UpsertRoom with a NUL in the room id", "room.id", r => r.Id = "room\0x");
        yield return Room("UpsertRoom with a trailing newline in the room id", "room.id", r => r.Id = TestRooms.UniqueId("nl") + "\n");
        yield return Room("UpsertRoom with an empty title", "room.title", r => r.Title = "");
        yield return Room("UpsertRoom with a title of 201 characters", "room.title", r => r.Title = new string('T', 201));
        yield return Room("UpsertRoom with a NUL in the title", "room.title", r => r.Title = "STS\0Transfer");
        yield return Room("UpsertRoom with a newline in the single-line title", "room.title", r => r.Title = "STS\nTransfer");
        yield return Room("UpsertRoom with a location of 201 characters", "room.location", r => r.Location = new string('L', 201));
        yield return Room("UpsertRoom with an escape character in the location", "room.location", r => r.Location = "Off \u001b[31mSkaw");
        yield return Room("UpsertRoom with an ETA past year 9999", "room.sts_eta", r => r.StsEta = new Timestamp { Seconds = 253402300800 });
        yield return Room("UpsertRoom with an ETA before year 1", "room.sts_eta", r => r.StsEta = new Timestamp { Seconds = -62135596801 });
        yield return Room("UpsertRoom with negative ETA nanos", "room.sts_eta", r => r.StsEta = new Timestamp { Seconds = 1, Nanos = -1 });
        yield return Room("UpsertRoom with ETA nanos of a whole second", "room.sts_eta", r => r.StsEta = new Timestamp { Seconds = 1, Nanos = 1_000_000_000 });
        yield return Room("UpsertRoom with 11 vessels", "room.vessels", r =>
        {
            while (r.Vessels.Count < 11) r.Vessels.Add(new Vessel { Name = "MT Extra", Imo = "9300001", Role = VesselRole.Daughter });
        });
        yield return Room("UpsertRoom with an unnamed vessel", "room.vessels[0].name", r => r.Vessels[0].Name = "");
        yield return Room("UpsertRoom with a six-digit IMO", "room.vessels[1].imo", r => r.Vessels[1].Imo = "910010");
        yield return Room("UpsertRoom with an eight-digit IMO", "room.vessels[1].imo", r => r.Vessels[1].Imo = "91001011");
        yield return Room("UpsertRoom with an IMO prefixed by letters", "room.vessels[1].imo", r => r.Vessels[1].Imo = "IMO9100101");
        yield return Room("UpsertRoom with an IMO of full-width digits", "room.vessels[1].imo", r => r.Vessels[1].Imo = "\uff19\uff11\uff10\uff10\uff11\uff10\uff11");
        yield return Room("UpsertRoom with a trailing newline in the IMO", "room.vessels[1].imo", r => r.Vessels[1].Imo = "9100101\n");
        yield return Room("UpsertRoom with an unspecified vessel role", "room.vessels[0].role", r => r.Vessels[0].Role = VesselRole.Unspecified);
        yield return Room("UpsertRoom with an unknown vessel role", "room.vessels[0].role", r => r.Vessels[0].Role = (VesselRole)7);
        yield return Room("UpsertRoom with 501 parties", "room.parties", r =>
        {
            for (var i = r.Parties.Count; i < 501; i++) r.Parties.Add(new Party { Email = $"extra-{i}@sts.test", Role = PartyRole.Buyer });
        });
        yield return Room("UpsertRoom with a party email that is not an address", "room.parties[1].email", r => r.Parties[1].Email = "not-an-email");
        yield return Room("UpsertRoom with a party email of two at signs", "room.parties[1].email", r => r.Parties[1].Email = "a@b@sts.test");
        yield return Room("UpsertRoom with a party email holding a space", "room.parties[1].email", r => r.Parties[1].Email = "broker one@sts.test");
        yield return Room("UpsertRoom with an empty party email", "room.parties[1].email", r => r.Parties[1].Email = "");
        yield return Room("UpsertRoom with a party email of 255 characters", "room.parties[1].email", r => r.Parties[1].Email = new string('b', 246) + "@sts.test");
        yield return Room("UpsertRoom with a trailing newline in a party email", "room.parties[1].email", r => r.Parties[1].Email = "broker@sts.test\n");
        yield return Room("UpsertRoom with the same party email twice", "room.parties[1].email", r => r.Parties[1].Email = r.Parties[0].Email.ToUpperInvariant());
        yield return Room("UpsertRoom with party emails equal once lower-cased (Kelvin sign)", "room.parties[1].email", r =>
        {
            r.Parties[0].Email = "kate@sts.test";
            r.Parties[1].Email = "\u212Aate@sts.test";
        });
        yield return Room("UpsertRoom with an unknown party role", "room.parties[0].role", r => r.Parties[0].Role = (PartyRole)42);
        yield return Room("UpsertRoom with an unspecified party role", "room.parties[0].role", r => r.Parties[0].Role = PartyRole.Unspecified);
        yield return Room("UpsertRoom with a party company of 201 characters", "room.parties[0].company", r => r.Parties[0].Company = new string('C', 201));
        yield return Room("UpsertRoom with a NUL in a party name", "room.parties[0].name", r => r.Parties[0].Name = "Jo\0hn");
        yield return Room("UpsertRoom with a path-traversal document id", "room.documents[0].id", r => r.Documents[0].Id = Traversal);
        yield return Room("UpsertRoom with an empty document id", "room.documents[0].id", r => r.Documents[0].Id = "");
        yield return Room("UpsertRoom with the same document id twice", "room.documents[1].id", r => r.Documents.Add(r.Documents[0].Clone()));
        yield return Room("UpsertRoom with an empty document type", "room.documents[0].type", r => r.Documents[0].Type = "");
        yield return Room("UpsertRoom with an unknown document status", "room.documents[0].status", r => r.Documents[0].Status = (DocumentStatus)99);
        yield return Room("UpsertRoom with an unspecified document status", "room.documents[0].status", r => r.Documents[0].Status = DocumentStatus.Unspecified);
        yield return Room("UpsertRoom with expiry date 2026-13-40", "room.documents[0].expires_on", r => r.Documents[0].ExpiresOn = "2026-13-40");
        yield return Room("UpsertRoom with expiry date 2026-02-30", "room.documents[0].expires_on", r => r.Documents[0].ExpiresOn = "2026-02-30");
        yield return Room("UpsertRoom with an expiry date in US form", "room.documents[0].expires_on", r => r.Documents[0].ExpiresOn = "01/03/2027");
        yield return Room("UpsertRoom with an expiry date and time", "room.documents[0].expires_on", r => r.Documents[0].ExpiresOn = "2027-01-03T00:00:00Z");
        yield return Room("UpsertRoom with a bad uploader email", "room.documents[0].uploaded_by", r => r.Documents[0].UploadedBy = "uploader");
        yield return Room("UpsertRoom with document notes of 4001 characters", "room.documents[0].notes", r => r.Documents[0].Notes = new string('n', 4001));
        yield return Room("UpsertRoom with a NUL in document notes", "room.documents[0].notes", r => r.Documents[0].Notes = "Checked\0");
        yield return Room("UpsertRoom with an unknown approval role", "room.approvals[0].party_role", r => r.Approvals[0].PartyRole = (PartyRole)42);
        yield return Room("UpsertRoom with an unspecified approval status", "room.approvals[0].status", r => r.Approvals[0].Status = ApprovalStatus.Unspecified);
        yield return Room("UpsertRoom with a bad approval decider email", "room.approvals[0].decided_by", r => r.Approvals[0].DecidedBy = "@sts.test");
        yield return Room("UpsertRoom with negative nanos in an approval time", "room.approvals[0].decided_at", r => r.Approvals[0].DecidedAt = new Timestamp { Seconds = 1_800_000_000, Nanos = -5 });
        yield return Room("UpsertRoom with an activity without a time", "room.activities[0].at", r => r.Activities[0].At = null);
        yield return Room("UpsertRoom with an upper-case activity action", "room.activities[0].action", r => r.Activities[0].Action = "Document.Uploaded");
        yield return Room("UpsertRoom with an empty activity action", "room.activities[0].action", r => r.Activities[0].Action = "");
        yield return Room("UpsertRoom with an activity action ending in a dot", "room.activities[0].action", r => r.Activities[0].Action = "document.");
        yield return Room("UpsertRoom with an activity action of 65 characters", "room.activities[0].action", r => r.Activities[0].Action = Chars65);
        yield return Room("UpsertRoom with a trailing newline in an activity action", "room.activities[0].action", r => r.Activities[0].Action = "document.uploaded\n");
        yield return Room("UpsertRoom with a bad activity actor email", "room.activities[0].actor", r => r.Activities[0].Actor = "owner at sts.test");
        yield return Room("UpsertRoom with activity detail of 4001 characters", "room.activities[0].detail", r => r.Activities[0].Detail = new string('d', 4001));
        yield return Room("UpsertRoom with a NUL in activity detail", "room.activities[0].detail", r => r.Activities[0].Detail = "Q88\0");

        // RoomService.AppendActivity, as the platform principal, on a real room.
        yield return Append("AppendActivity with an empty room id", "room_id", (r, _) => r.RoomId = "");
        yield return Append("AppendActivity with a path-traversal room id", "room_id", (r, _) => r.RoomId = Traversal);
        yield return Append("AppendActivity with zero entries", "activities", (r, _) => r.Activities.Clear());
        yield return Append("AppendActivity with 10,001 entries", "activities", (r, _) =>
            r.Activities.AddRange(Enumerable.Range(0, 10_000).Select(_ => ValidActivity())));
        yield return Append("AppendActivity with an entry without a time", "activities[0].at", (r, _) => r.Activities[0].At = null);
        yield return Append("AppendActivity with an entry time before year 1", "activities[0].at", (r, _) => r.Activities[0].At = new Timestamp { Seconds = -62135596801 });
        yield return Append("AppendActivity with an action holding a space", "activities[0].action", (r, _) => r.Activities[0].Action = "document uploaded");
        yield return Append("AppendActivity with a bad action in the second entry", "activities[1].action", (r, _) =>
            r.Activities.Add(new Activity(ValidActivity()) { Action = "1st.action" }));
        yield return Append("AppendActivity with a bell character in the detail", "activities[0].detail", (r, _) => r.Activities[0].Detail = "ding\a");

        // RoomService.GetRoom, as a platform admin.
        yield return GetRoom("GetRoom with an empty room id", "");
        yield return GetRoom("GetRoom with a room id of 65 characters", Chars65);
        yield return GetRoom("GetRoom with a path-traversal room id", Traversal);
        yield return GetRoom("GetRoom with a trailing newline in the room id", "bad-input-room\n");

        // SnapshotService.CreateSnapshot, as a platform admin, on a real room.
        yield return Create("CreateSnapshot with an empty room id", "room_id", (r, _) => r.RoomId = "");
        yield return Create("CreateSnapshot with a slash in the room id", "room_id", (r, _) => r.RoomId = "a/b");
        yield return Create("CreateSnapshot with an empty title", "title", (r, _) => r.Title = "");
        yield return Create("CreateSnapshot with a title of 201 characters", "title", (r, _) => r.Title = new string('S', 201));
        yield return Create("CreateSnapshot with a NUL in the title", "title", (r, _) => r.Title = "Final\0");
        yield return Create("CreateSnapshot with a line break in the title", "title", (r, _) => r.Title = "Final\r\nreport");
        yield return Create("CreateSnapshot with an unspecified type", "type", (r, _) => r.Type = SnapshotType.Unspecified);
        yield return Create("CreateSnapshot with an unknown type", "type", (r, _) => r.Type = (SnapshotType)99);
        yield return Create("CreateSnapshot with a request id that is not a UUID", "request_id", (r, _) => r.RequestId = "not-a-uuid");
        yield return Create("CreateSnapshot with a request id without dashes", "request_id", (r, _) => r.RequestId = Guid.NewGuid().ToString("N"));
        yield return Create("CreateSnapshot with a request id in braces", "request_id", (r, _) => r.RequestId = Guid.NewGuid().ToString("B"));
        yield return Create("CreateSnapshot reusing a request id for a different request", "request_id", (r, s) => r.RequestId = s.UsedRequestId);
        yield return Create("CreateSnapshot of CSV without documents", "options.include_documents", (r, _) =>
        {
            r.Type = SnapshotType.Csv;
            r.Options = new SnapshotOptions { IncludeActivity = true };
        });
        yield return Create("CreateSnapshot with a negative activity limit", "options.activity_limit", (r, _) =>
            r.Options = new SnapshotOptions { IncludeActivity = true, ActivityLimit = -1 });
        yield return Create("CreateSnapshot with an activity limit of 50,001", "options.activity_limit", (r, _) =>
            r.Options = new SnapshotOptions { IncludeActivity = true, ActivityLimit = 50_001 });
        yield return Create("CreateSnapshot with an activity limit but no activity", "options.activity_limit", (r, _) =>
            r.Options = new SnapshotOptions { IncludeDocuments = true, ActivityLimit = 10 });

        // SnapshotService.GetSnapshot, DeleteSnapshot and GetTask, as a platform admin.
        yield return GetSnapshot("GetSnapshot with an empty snapshot id", "");
        yield return GetSnapshot("GetSnapshot with a snapshot id that is not a UUID", "not-a-uuid");
        yield return GetSnapshot("GetSnapshot with a path-traversal snapshot id", Traversal);
        yield return GetSnapshot("GetSnapshot with text after the UUID", Guid.NewGuid().ToString("D") + "x");
        yield return DeleteSnapshot("DeleteSnapshot with an empty snapshot id", "");
        yield return DeleteSnapshot("DeleteSnapshot with a numeric snapshot id", "123");
        yield return DeleteSnapshot("DeleteSnapshot with SQL in the snapshot id", "' OR 1=1 --");
        yield return GetTask("GetTask with an empty task id", "");
        yield return GetTask("GetTask with a task id that is not a UUID", "task-1");
        yield return GetTask("GetTask with a task id without dashes", Guid.NewGuid().ToString("N"));

        // SnapshotService.ListSnapshots, as a platform admin, on a real room with two snapshots.
        yield return List("ListSnapshots with an empty room id", "room_id", (r, _) => r.RoomId = "");
        yield return List("ListSnapshots with a path-traversal room id", "room_id", (r, _) => r.RoomId = Traversal);
        yield return List("ListSnapshots with page size -1", "page_size", (r, _) => r.PageSize = -1);
        yield return List("ListSnapshots with the most negative page size", "page_size", (r, _) => r.PageSize = int.MinValue);
        yield return List("ListSnapshots with a garbage page token", "page_token", (r, _) => r.PageToken = "garbage!!");
        yield return List("ListSnapshots with a page token of the wrong length", "page_token", (r, _) => r.PageToken = "AAAA");
        yield return List("ListSnapshots with a page token of 65 characters", "page_token", (r, _) => r.PageToken = new string('A', 65));
        yield return List("ListSnapshots with a page token of another version", "page_token", (r, s) => r.PageToken = Rewrite(s.SnapshotPageToken, b => b[0] = 2));
        yield return List("ListSnapshots with a page token issued for another type filter", "page_token", (r, s) =>
        {
            r.PageToken = s.SnapshotPageToken;
            r.Type = SnapshotType.Pdf;
        });
        yield return List("ListSnapshots with a page token issued for another creator filter", "page_token", (r, s) =>
        {
            r.PageToken = s.SnapshotPageToken;
            r.CreatedBy = ApiFixture.AdminEmail;
        });
        yield return List("ListSnapshots with a page token issued for another room", "page_token", (r, s) =>
        {
            r.PageToken = s.SnapshotPageToken;
            r.RoomId = s.OtherRoom.Id;
        });
        yield return List("ListSnapshots with a page token issued by ListAuditEvents", "page_token", (r, s) => r.PageToken = s.AuditPageToken);
        yield return List("ListSnapshots with a page token whose position is out of range", "page_token", (r, s) =>
            r.PageToken = Rewrite(s.SnapshotPageToken, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(5), long.MaxValue)));
        yield return List("ListSnapshots with an unknown status filter", "status", (r, _) => r.Status = (SnapshotStatus)9);
        yield return List("ListSnapshots with an unknown type filter", "type", (r, _) => r.Type = (SnapshotType)99);
        yield return List("ListSnapshots with a creator filter that is not an email", "created_by", (r, _) => r.CreatedBy = "admin");

        // AuditService.ListAuditEvents, as a platform admin.
        yield return Audit("ListAuditEvents with a path-traversal room id", "room_id", (r, _) => r.RoomId = Traversal);
        yield return Audit("ListAuditEvents with a room id of 65 characters", "room_id", (r, _) => r.RoomId = Chars65);
        yield return Audit("ListAuditEvents with page size -1", "page_size", (r, _) => r.PageSize = -1);
        yield return Audit("ListAuditEvents with a garbage page token", "page_token", (r, _) => r.PageToken = "%%%");
        yield return Audit("ListAuditEvents with a page token issued by ListSnapshots", "page_token", (r, s) => r.PageToken = s.SnapshotPageToken);
        yield return Audit("ListAuditEvents with a page token issued for another room", "page_token", (r, s) =>
        {
            r.PageToken = s.AuditPageToken;
            r.RoomId = s.OtherRoom.Id;
        });
        yield return Audit("ListAuditEvents with a room's page token but no room filter", "page_token", (r, s) =>
        {
            r.PageToken = s.AuditPageToken;
            r.RoomId = "";
        });

        // SnapshotService.SetLegalHold, as a platform admin.
        yield return Hold("SetLegalHold with a snapshot id that is not a UUID", "snapshot_id", r => r.SnapshotId = "not-a-uuid");
        yield return Hold("SetLegalHold placing a hold without a reason", "reason", r => r.Reason = "");
        yield return Hold("SetLegalHold with a line break in the reason", "reason", r => r.Reason = "Case\n114");
        yield return Hold("SetLegalHold with a reason of 501 characters", "reason", r => r.Reason = new string('r', 501));

        // ScheduleService.CreateSchedule, as a platform admin, on a real room (Schedules:MinInterval is 5 minutes).
        yield return new("CreateSchedule without a schedule", "schedule", (api, _) => api.Admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest()).ResponseAsync);
        yield return Schedule("CreateSchedule with a path-traversal room id", "schedule.room_id", s => s.RoomId = Traversal);
        yield return Schedule("CreateSchedule with neither an interval nor a cron expression", "schedule.interval", s => s.ClearTiming());
        yield return Schedule("CreateSchedule with an interval under the configured minimum", "schedule.interval", s => s.Interval = Duration.FromTimeSpan(TimeSpan.FromMinutes(4)));
        yield return Schedule("CreateSchedule with a negative interval", "schedule.interval", s => s.Interval = new Duration { Seconds = -3600 });
        yield return Schedule("CreateSchedule with an interval of fractional seconds", "schedule.interval", s => s.Interval = new Duration { Seconds = 3600, Nanos = 5 });
        yield return Schedule("CreateSchedule with an interval of more than a year", "schedule.interval", s => s.Interval = Duration.FromTimeSpan(TimeSpan.FromDays(400)));
        yield return Schedule("CreateSchedule with a cron minute of 61", "schedule.cron", Cron("61 2 * * *"));
        yield return Schedule("CreateSchedule with a cron expression of six fields", "schedule.cron", Cron("0 30 2 * * *"));
        yield return Schedule("CreateSchedule with words for a cron expression", "schedule.cron", Cron("every day at 2"));
        yield return Schedule("CreateSchedule with a cron expression that never runs", "schedule.cron", Cron("0 0 30 2 *"));
        yield return Schedule("CreateSchedule with a cron expression that runs every minute", "schedule.cron", Cron("* * * * *"));
        yield return Schedule("CreateSchedule with a NUL in the cron expression", "schedule.cron", Cron("30 2 * * *\0"));
        yield return Schedule("CreateSchedule with cron but no time zone", "schedule.time_zone", s =>
        {
            s.Cron = "30 2 * * *";
            s.TimeZone = "";
        });
        yield return Schedule("CreateSchedule with an unknown time zone", "schedule.time_zone", s => s.TimeZone = "Mars/Olympus_Mons");
        yield return Schedule("CreateSchedule with a path for a time zone", "schedule.time_zone", s => s.TimeZone = "../../etc/passwd");
        yield return Schedule("CreateSchedule with a Windows time zone name", "schedule.time_zone", s => s.TimeZone = "W. Europe Standard Time");
        yield return Schedule("CreateSchedule with a start time for a cron schedule", "schedule.start_time", s =>
        {
            Cron("30 2 * * *")(s);
            s.StartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        });
        yield return Schedule("CreateSchedule with a start time past year 9999", "schedule.start_time", s => s.StartTime = new Timestamp { Seconds = 253402300800 });
        yield return Schedule("CreateSchedule with a start time two years ahead", "schedule.start_time", s => s.StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddYears(2)));
        yield return Schedule("CreateSchedule with an unspecified type", "schedule.type", s => s.Type = SnapshotType.Unspecified);
        yield return Schedule("CreateSchedule of CSV without documents", "schedule.options.include_documents", s =>
        {
            s.Type = SnapshotType.Csv;
            s.Options = new SnapshotOptions { IncludeActivity = true };
        });
        yield return Schedule("CreateSchedule with an unknown title placeholder", "schedule.title_template", s => s.TitleTemplate = "Daily {weekday}");
        yield return Schedule("CreateSchedule with an unclosed title placeholder", "schedule.title_template", s => s.TitleTemplate = "Daily {date");
        yield return Schedule("CreateSchedule with a title that fills in past 200 characters", "schedule.title_template", s => s.TitleTemplate = new string('T', 180) + "{slot}");
        yield return Schedule("CreateSchedule with a control character in the title", "schedule.title_template", s => s.TitleTemplate = "Daily\u001b[31m");
        yield return Schedule("CreateSchedule keeping the last 0", "schedule.retention.keep_last", s => s.Retention = new RetentionPolicy { KeepLast = 0 });
        yield return Schedule("CreateSchedule keeping the last -3", "schedule.retention.keep_last", s => s.Retention = new RetentionPolicy { KeepLast = -3 });
        yield return Schedule("CreateSchedule keeping the last 1001", "schedule.retention.keep_last", s => s.Retention = new RetentionPolicy { KeepLast = 1001 });
        yield return Schedule("CreateSchedule with a retention policy of no rules", "schedule.retention", s => s.Retention = new RetentionPolicy());
        yield return Schedule("CreateSchedule with a maximum age of 30 seconds", "schedule.retention.max_age", s =>
            s.Retention = new RetentionPolicy { MaxAge = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) });

        // ScheduleService.GetSchedule, ListSchedules, UpdateSchedule and DeleteSchedule, as a platform admin.
        yield return new("GetSchedule with a schedule id that is not a UUID", "schedule_id", (api, _) =>
            api.Admin.Schedules.GetScheduleAsync(new GetScheduleRequest { ScheduleId = "schedule-1" }).ResponseAsync);
        yield return new("ListSchedules with a path-traversal room id", "room_id", (api, _) =>
            api.Admin.Schedules.ListSchedulesAsync(new ListSchedulesRequest { RoomId = Traversal }).ResponseAsync);
        yield return new("ListSchedules with page size -1", "page_size", (api, scene) =>
            api.Admin.Schedules.ListSchedulesAsync(new ListSchedulesRequest { RoomId = scene.Room.Id, PageSize = -1 }).ResponseAsync);
        yield return new("ListSchedules with a page token issued by ListSnapshots", "page_token", (api, scene) =>
            api.Admin.Schedules.ListSchedulesAsync(new ListSchedulesRequest { RoomId = scene.Room.Id, PageToken = scene.SnapshotPageToken }).ResponseAsync);
        yield return Update("UpdateSchedule without an update mask", "update_mask", (r, _) => r.UpdateMask = null);
        yield return Update("UpdateSchedule with a mask naming the room", "update_mask", (r, _) => r.UpdateMask.Paths.Add("room_id"));
        yield return Update("UpdateSchedule with a mask naming interval and cron", "update_mask", (r, _) => r.UpdateMask.Paths.Add("cron"));
        yield return Update("UpdateSchedule with a schedule id that is not a UUID", "schedule.id", (r, _) => r.Schedule.Id = "42");
        yield return Update("UpdateSchedule with an etag that was never issued", "schedule.etag", (r, _) => r.Schedule.Etag = "W/\"abc\"");
        yield return Update("UpdateSchedule to an interval under the configured minimum", "schedule.interval", (r, _) => r.Schedule.Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)));
        yield return Update("UpdateSchedule to a bad cron expression", "schedule.cron", (r, _) =>
        {
            r.Schedule.Cron = "30 25 * * *";
            r.UpdateMask.Paths[0] = "cron";
        });
        yield return Update("UpdateSchedule to an unknown time zone", "schedule.time_zone", (r, _) =>
        {
            r.Schedule.TimeZone = "Europe/Atlantis";
            r.UpdateMask.Paths[0] = "time_zone";
        });
        yield return Update("UpdateSchedule keeping the last 0", "schedule.retention.keep_last", (r, _) =>
        {
            r.Schedule.Retention = new RetentionPolicy { KeepLast = 0 };
            r.UpdateMask.Paths[0] = "retention";
        });
        yield return new("DeleteSchedule with a schedule id that is not a UUID", "schedule_id", (api, _) =>
            api.Admin.Schedules.DeleteScheduleAsync(new DeleteScheduleRequest { ScheduleId = "' OR 1=1 --" }).ResponseAsync);
        yield return new("DeleteSchedule with an etag that was never issued", "etag", (api, scene) =>
            api.Admin.Schedules.DeleteScheduleAsync(new DeleteScheduleRequest { ScheduleId = scene.ScheduleId, Etag = "-1" }).ResponseAsync);

        // ScheduleService.GetRoomRetention and SetRoomRetention, as a platform admin.
        yield return new("GetRoomRetention with a path-traversal room id", "room_id", (api, _) =>
            api.Admin.Schedules.GetRoomRetentionAsync(new GetRoomRetentionRequest { RoomId = Traversal }).ResponseAsync);
        yield return new("SetRoomRetention without a policy", "retention", (api, _) =>
            api.Admin.Schedules.SetRoomRetentionAsync(new SetRoomRetentionRequest()).ResponseAsync);
        yield return new("SetRoomRetention with a maximum age of ten minutes", "retention.manual_max_age", (api, scene) =>
            api.Admin.Schedules.SetRoomRetentionAsync(new SetRoomRetentionRequest
            {
                Retention = new RoomRetention { RoomId = scene.Room.Id, ManualMaxAge = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) },
            }).ResponseAsync);

        // AdminService backups, as a platform admin: a backup id names a folder in storage.
        yield return new("VerifyBackup with a path-traversal backup id", "backup_id", (api, _) =>
            api.Admin.Operations.VerifyBackupAsync(new VerifyBackupRequest { BackupId = Traversal }).ResponseAsync);
        yield return new("RestoreBackup without a backup id", "backup_id", (api, _) =>
            api.Admin.Operations.RestoreBackupAsync(new RestoreBackupRequest()).ResponseAsync);
        yield return new("RestoreBackup with a backup id that is not one", "backup_id", (api, _) =>
            api.Admin.Operations.RestoreBackupAsync(new RestoreBackupRequest { BackupId = "latest" }).ResponseAsync);
    }

    private static Action<Schedule> Cron(string expression) => s =>
    {
        s.Cron = expression;
        s.TimeZone = "Europe/Oslo";
    };

    private static BadInput Schedule(string name, string field, Action<Schedule> spoil) => new(name, field, (api, scene) =>
    {
        var schedule = new Schedule { RoomId = scene.Room.Id, Interval = Duration.FromTimeSpan(TimeSpan.FromHours(6)), Type = SnapshotType.Pdf };
        spoil(schedule);
        return api.Admin.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = schedule }).ResponseAsync;
    });

    private static BadInput Update(string name, string field, Action<UpdateScheduleRequest, BadInputTests.Scene> spoil) => new(name, field, (api, scene) =>
    {
        var request = new UpdateScheduleRequest
        {
            Schedule = new Schedule { Id = scene.ScheduleId, Interval = Duration.FromTimeSpan(TimeSpan.FromHours(12)) },
            UpdateMask = new FieldMask { Paths = { "interval" } },
        };
        spoil(request, scene);
        return api.Admin.Schedules.UpdateScheduleAsync(request).ResponseAsync;
    });

    private static BadInput Hold(string name, string field, Action<SetLegalHoldRequest> spoil) => new(name, field, (api, scene) =>
    {
        var request = new SetLegalHoldRequest { SnapshotId = scene.SnapshotId, Hold = true, Reason = "Bad input probe" };
        spoil(request);
        return api.Admin.Snapshots.SetLegalHoldAsync(request).ResponseAsync;
    });

    private static BadInput Room(string name, string field, Action<Room> spoil) => new(name, field, (api, _) =>
    {
        var room = TestRooms.WithEveryRole();
        spoil(room);
        return api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }).ResponseAsync;
    });

    private static BadInput Append(string name, string field, Action<AppendActivityRequest, BadInputTests.Scene> spoil) => new(name, field, (api, scene) =>
    {
        var request = new AppendActivityRequest { RoomId = scene.Room.Id, Activities = { ValidActivity() } };
        spoil(request, scene);
        return api.Platform.Rooms.AppendActivityAsync(request).ResponseAsync;
    });

    private static BadInput GetRoom(string name, string roomId) => new(name, "room_id", (api, _) =>
        api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = roomId }).ResponseAsync);

    private static BadInput Create(string name, string field, Action<CreateSnapshotRequest, BadInputTests.Scene> spoil) => new(name, field, (api, scene) =>
    {
        var request = new CreateSnapshotRequest { RoomId = scene.Room.Id, Title = "Bad input probe", Type = SnapshotType.Pdf };
        spoil(request, scene);
        return api.Admin.Snapshots.CreateSnapshotAsync(request).ResponseAsync;
    });

    private static BadInput GetSnapshot(string name, string snapshotId) => new(name, "snapshot_id", (api, _) =>
        api.Admin.Snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = snapshotId }).ResponseAsync);

    private static BadInput DeleteSnapshot(string name, string snapshotId) => new(name, "snapshot_id", (api, _) =>
        api.Admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }).ResponseAsync);

    private static BadInput GetTask(string name, string taskId) => new(name, "task_id", (api, _) =>
        api.Admin.Snapshots.GetTaskAsync(new GetTaskRequest { TaskId = taskId }).ResponseAsync);

    private static BadInput List(string name, string field, Action<ListSnapshotsRequest, BadInputTests.Scene> spoil) => new(name, field, (api, scene) =>
    {
        var request = new ListSnapshotsRequest { RoomId = scene.Room.Id, PageSize = 1 };
        spoil(request, scene);
        return api.Admin.Snapshots.ListSnapshotsAsync(request).ResponseAsync;
    });

    private static BadInput Audit(string name, string field, Action<ListAuditEventsRequest, BadInputTests.Scene> spoil) => new(name, field, (api, scene) =>
    {
        var request = new ListAuditEventsRequest { RoomId = scene.Room.Id, PageSize = 1 };
        spoil(request, scene);
        return api.Admin.Audit.ListAuditEventsAsync(request).ResponseAsync;
    });

    /// <summary>Edits the bytes of a real page token, as a client poking at an "opaque" token would.</summary>
    private static string Rewrite(string token, Action<byte[]> edit)
    {
        var bytes = Base64Url.DecodeFromChars(token);
        edit(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
