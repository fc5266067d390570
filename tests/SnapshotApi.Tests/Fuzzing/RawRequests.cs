using Google.Protobuf;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Fuzzing;

/// <summary>
/// Requests sent as raw bytes past the client's serializer, which would never produce them: random bytes,
/// truncated messages, malformed varints and lengths, runaway nesting, and string fields holding invalid UTF-8.
/// </summary>
public static class RawRequests
{
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5;

    private static readonly Marshaller<byte[]> AsIs = Marshallers.Create(b => b, b => b);

    /// <summary>Byte sequences that are not UTF-8: a bad continuation, a lone surrogate as CESU-8, an overlong '/', and so on.</summary>
    private static readonly byte[][] InvalidUtf8 =
        [[0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xff], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0x61, 0x00, 0xfe]];

    /// <summary>An RPC to abuse: its method, a parser to predict whether the server can read the bytes, and the fields to attack.</summary>
    public sealed record Target(Method<byte[], byte[]> Method, MessageParser Parser, Func<Hostile, FuzzScene, IMessage> Valid, int StringField, int IntField)
    {
        public string Action => $"{Method.ServiceName[(Method.ServiceName.LastIndexOf('.') + 1)..]}.{Method.Name}";

        /// <summary>What the server's deserializer will make of the bytes, by the same protobuf library.</summary>
        public bool Parses(byte[] payload)
        {
            try
            {
                Parser.ParseFrom(payload);
                return true;
            }
            catch (InvalidProtocolBufferException)
            {
                return false;
            }
        }
    }

    public static readonly Target[] Targets =
    [
        new(Unary("sts.snapshot.v1.RoomService", "GetRoom"), GetRoomRequest.Parser,
            (h, s) => new GetRoomRequest { RoomId = h.Pick(s.PoolRoomIds) }, StringField: 1, IntField: 7),
        new(Unary("sts.snapshot.v1.SnapshotService", "CreateSnapshot"), CreateSnapshotRequest.Parser,
            (h, s) => new CreateSnapshotRequest { RoomId = h.Pick(s.PoolRoomIds), Title = "Raw", Type = SnapshotType.Json }, StringField: 2, IntField: 3),
        new(Unary("sts.snapshot.v1.SnapshotService", "ListSnapshots"), ListSnapshotsRequest.Parser,
            (h, s) => new ListSnapshotsRequest { RoomId = h.Pick(s.PoolRoomIds), PageSize = 5 }, StringField: 6, IntField: 2),
        new(Unary("sts.snapshot.v1.ScheduleService", "ListSchedules"), ListSchedulesRequest.Parser,
            (h, s) => new ListSchedulesRequest { RoomId = h.Pick(s.PoolRoomIds), PageSize = 5 }, StringField: 1, IntField: 2),
    ];

    /// <summary>One abusive payload for <paramref name="target"/> and a name for its kind.</summary>
    public static (string Kind, byte[] Payload) Payload(Hostile h, Target target, FuzzScene scene)
    {
        var valid = target.Valid(h, scene).ToByteArray();
        return h.Rng.Next(13) switch
        {
            0 => ("random bytes", h.Bytes(h.Rng.Next(1, 65))),
            1 => ("truncated message", valid[..h.Rng.Next(1, valid.Length)]),
            2 or 3 => ("invalid UTF-8 in a string field", [.. valid, .. Tag(target.StringField, LengthDelimited), .. LengthPrefixed(h.Pick(InvalidUtf8))]),
            4 => ("message with garbage after it", [.. valid, .. h.Bytes(h.Rng.Next(1, 17))]),
            5 => ("varint of eleven bytes", [.. valid, .. Tag(target.IntField, Varint), .. Enumerable.Repeat((byte)0xff, 10), 0x01]),
            6 => ("length past the end", [.. Tag(target.StringField, LengthDelimited), .. VarintBytes((ulong)h.Pick([4, 100, 1 << 20, int.MaxValue])), 0x61, 0x62]),
            7 => ("groups nested 200 deep", [.. valid, .. Enumerable.Range(0, 200).SelectMany(_ => Tag(9, StartGroup))]),
            8 => ("groups nested 20 deep and closed", [.. valid, .. Enumerable.Range(0, 20).SelectMany(_ => Tag(9, StartGroup)), .. Enumerable.Range(0, 20).SelectMany(_ => Tag(9, EndGroup))]),
            9 => ("unknown fields of every wire type", [.. valid, .. Tag(20, Varint), 0x01, .. Tag(21, Fixed64), .. h.Bytes(8), .. Tag(22, LengthDelimited), 0x02, 0x68, 0x69, .. Tag(23, Fixed32), .. h.Bytes(4)]),
            10 => ("field number 0 or an end-group without start", h.Chance(0.5) ? [0x00, 0x01] : [.. valid, .. Tag(9, EndGroup)]),
            11 => ("empty message", []),
            _ => ("valid message", valid),
        };
    }

    private static Method<byte[], byte[]> Unary(string service, string name) => new(MethodType.Unary, service, name, AsIs, AsIs);

    private static byte[] Tag(int field, int wireType) => VarintBytes((ulong)((field << 3) | wireType));

    private static byte[] LengthPrefixed(byte[] bytes) => [.. VarintBytes((ulong)bytes.Length), .. bytes];

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
