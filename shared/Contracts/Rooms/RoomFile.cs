using System.Text.Json.Nodes;
using Google.Protobuf;
using Sts.Api.V1;

namespace Sts.Shared.Rooms;

/// <summary>
/// Reads rooms in the platform's export format (the files in fixtures/rooms):
/// protobuf field names, but enum values as bare lower-case words such as "owner".
/// </summary>
public static class RoomFile
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    // (array, field, enum prefix): which strings are enum values and what their protobuf names start with.
    private static readonly (string Array, string Field, string Prefix)[] EnumFields =
    [
        ("vessels", "role", "VESSEL_ROLE_"),
        ("parties", "role", "PARTY_ROLE_"),
        ("documents", "status", "DOCUMENT_STATUS_"),
        ("approvals", "party_role", "PARTY_ROLE_"),
        ("approvals", "status", "APPROVAL_STATUS_"),
    ];

    public static Room Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject
            ?? throw new FormatException("A room file must hold one JSON object.");
        foreach (var (array, field, prefix) in EnumFields)
        {
            if (root[array] is not JsonArray items) continue;
            foreach (var item in items.OfType<JsonObject>())
            {
                if (item[field] is JsonValue value && value.TryGetValue<string>(out var word) && !word.StartsWith(prefix, StringComparison.Ordinal))
                    item[field] = prefix + word.ToUpperInvariant();
            }
        }
        return Parser.Parse<Room>(root.ToJsonString());
    }

    public static async Task<Room> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Parse(await File.ReadAllTextAsync(path, cancellationToken));
}
