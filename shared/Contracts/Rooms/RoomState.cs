using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Sts.Api.V1;

namespace Sts.Shared.Rooms;

/// <summary>The frozen form of a room: canonical protobuf JSON and its SHA-256.</summary>
public static class RoomState
{
    // Protobuf's JSON formatter writes fields in field-number order with no
    // whitespace, so the same room always gives the same bytes. That is what
    // makes the content hash (and the render cache keyed by it) meaningful.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public static string ToCanonicalJson(Room room) => Formatter.Format(room);

    public static Room Parse(string canonicalJson) => Parser.Parse<Room>(canonicalJson);

    public static string Sha256Hex(string text) => Sha256Hex(Encoding.UTF8.GetBytes(text));

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
