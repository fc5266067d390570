namespace Sts.Shared.Rooms;

/// <summary>The limits a room must keep, as room.proto documents them; the API enforces them and benchmarks build rooms at them.</summary>
public static class RoomLimits
{
    public const int Vessels = 10;
    public const int Parties = 500;
    public const int Documents = 5_000;
    public const int Approvals = 500;
    public const int Activities = 50_000;

    /// <summary>Activity entries one AppendActivity call may add.</summary>
    public const int Append = 10_000;

    /// <summary>Titles, locations, names, companies, document types and vessel names, in characters.</summary>
    public const int ShortText = 200;

    /// <summary>Document notes and activity details, in characters.</summary>
    public const int LongText = 4_000;

    public const int Email = 254;

    /// <summary>An activity's action verb, in characters.</summary>
    public const int Action = 64;

    /// <summary>
    /// A room's whole size, encoded as protobuf: 15 MiB. UpsertRoom and GetRoom carry a room in one message, so a room
    /// must fit in one with room to spare (Grpc:MaxMessageBytes is at least 16 MiB), and AppendActivity may not grow a
    /// room past what GetRoom can return. It also bounds what a snapshot freezes and renders: the counts above times
    /// the longest texts would come to some 240 MB, an 80,000-page PDF.
    /// </summary>
    public const int Bytes = 15 * 1024 * 1024;
}
