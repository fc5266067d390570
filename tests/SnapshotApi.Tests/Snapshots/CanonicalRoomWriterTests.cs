using System.Text;
using Google.Protobuf;
using Sts.Api.V1;
using Sts.Shared.Rooms;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Rpc;
using Sts.SnapshotApi.Tests.Fuzzing;

namespace Sts.SnapshotApi.Tests.Snapshots;

/// <summary>The streamed freeze must write exactly the bytes RoomState.ToCanonicalJson writes, or content hashes (and the render cache) would change.</summary>
public sealed class CanonicalRoomWriterTests
{
    public static TheoryData<string> Fixtures() => ["small", "medium", "large"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Sample_room_streams_to_the_same_bytes_as_the_whole_room(string name)
    {
        var room = TestRooms.Fixture(name);
        room.Version = 7;
        Assert.Equal(Canonical(room), await StreamAsync(room));
    }

    [Fact]
    public async Task Random_rooms_stream_to_the_same_bytes_as_the_whole_room()
    {
        var compared = 0;
        for (var seed = 0; compared < 300; seed++)
        {
            var h = new Hostile(seed);
            var room = FuzzRooms.Valid(h, $"room-{seed}", ["a@x.test", "b@x.test", "c@x.test"]);
            // Hostile texts and empty sections, headers and versions: every place where punctuation could differ.
            for (var i = h.Rng.Next(4); i > 0; i--) FuzzRooms.Mutate(h, room);
            if (h.Chance(0.2)) room.Title = "";
            if (h.Chance(0.2)) room.Id = "";
            if (h.Chance(0.2)) room.Vessels.Clear();
            room.Version = h.Chance(0.2) ? 0 : h.Rng.NextInt64(1, long.MaxValue);
            room.UpdateTime = null;
            // As the API receives it: over the wire, where lone surrogates become U+FFFD, and only if it is valid.
            room = Room.Parser.ParseFrom(room.ToByteArray());
            if (!IsValid(room)) continue;
            var streamed = await StreamAsync(room);
            Assert.True(Canonical(room).AsSpan().SequenceEqual(streamed), $"seed {seed}");
            compared++;
        }
    }

    [Fact]
    public async Task An_empty_room_streams_as_protobuf_writes_it()
    {
        Assert.Equal("{ }", Encoding.UTF8.GetString(await StreamAsync(new Room())));
        Assert.Equal(Canonical(new Room { Version = 3 }), await StreamAsync(new Room { Version = 3 }));
    }

    [Fact]
    public async Task Sections_out_of_field_order_are_refused()
    {
        var writer = new CanonicalRoomWriter(Stream.Null);
        await writer.WriteHeaderAsync(new Room { Id = "r" }, CancellationToken.None);
        await writer.WriteAsync(RoomSection.Documents, new Document { Id = "d" }, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(RoomSection.Parties, new Party(), CancellationToken.None));
    }

    private static bool IsValid(Room room)
    {
        try
        {
            var violations = new FieldValidator();
            RoomValidator.Validate(room, violations);
            violations.ThrowIfAny();
            return true;
        }
        catch (Grpc.Core.RpcException)
        {
            return false;
        }
    }

    private static byte[] Canonical(Room room) => Encoding.UTF8.GetBytes(RoomState.ToCanonicalJson(room));

    private static async Task<byte[]> StreamAsync(Room room)
    {
        using var output = new MemoryStream();
        var writer = new CanonicalRoomWriter(output);
        var ct = CancellationToken.None;
        await writer.WriteHeaderAsync(room, ct);
        foreach (var (section, items) in new (RoomSection, IEnumerable<IMessage>)[]
                 {
                     (RoomSection.Vessels, room.Vessels), (RoomSection.Parties, room.Parties), (RoomSection.Documents, room.Documents),
                     (RoomSection.Approvals, room.Approvals), (RoomSection.Activities, room.Activities),
                 })
        {
            foreach (var item in items) await writer.WriteAsync(section, item, ct);
        }
        await writer.EndAsync(room.Version, ct);
        return output.ToArray();
    }
}
