using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

namespace Sts.PdfWorker.Rendering;

/// <summary>
/// Renders the frozen room and the snapshot's metadata as one JSON document:
/// <c>{"snapshot": {...}, "room": {...}}</c>, UTF-8 without a BOM. A watermark is recorded as "snapshot.watermark".
/// </summary>
/// <remarks>
/// "room" is canonical protobuf JSON (lowerCamelCase names, RoomState's formatter), so protobuf parsers
/// read it back as a Room. With every section included it is byte-for-byte the frozen state, so its
/// SHA-256 is "contentHash". The snapshot block uses the same lowerCamelCase naming so the document reads
/// as one. Property order is fixed, so the same input always gives the same bytes.
/// </remarks>
public sealed class JsonRenderer : ISnapshotRenderer
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The file is a download, never embedded in HTML, so names in Greek or Cyrillic stay readable
        // instead of becoming \u escapes. Quotes and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string Format => "json";
    public string ContentType => "application/json";
    public string FileExtension => ".json";

    public string Version => "json-1";

    // The body is the room alone; the snapshot's own metadata is wrapped around it by Finish.
    public string CacheIdentity(GenerateSnapshot message) => "";

    public RenderedSnapshot Render(GenerateSnapshot message, Room room, Room? compared = null)
    {
        var body = RenderBody(message, room);
        return body with { Content = Finish(message, body.Content) };
    }

    /// <summary>The room, with excluded sections removed, as canonical protobuf JSON.</summary>
    public RenderedSnapshot RenderBody(GenerateSnapshot message, Room room, RenderLimit limit = default, Room? compared = null) =>
        new(Encoding.UTF8.GetBytes(RoomState.ToCanonicalJson(RoomFilter.Apply(room, message.Options))), PageCount: 0);

    public byte[] Finish(GenerateSnapshot message, byte[] body)
    {
        using var buffer = new MemoryStream(body.Length + 1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("snapshot");
            writer.WriteString("id", message.SnapshotId.ToString("D"));
            writer.WriteString("roomId", message.RoomId);
            writer.WriteString("title", message.Title);
            writer.WriteString("createdBy", message.CreatedBy);
            writer.WriteString("createdAt", Rfc3339(message.CreatedAt));
            writer.WriteString("format", Format);
            writer.WriteStartObject("options");
            writer.WriteBoolean("includeDocuments", message.Options.IncludeDocuments);
            writer.WriteBoolean("includeActivity", message.Options.IncludeActivity);
            writer.WriteBoolean("includeApprovals", message.Options.IncludeApprovals);
            writer.WriteNumber("activityLimit", message.Options.ActivityLimit);
            writer.WriteEndObject();
            writer.WriteString("contentHash", message.ContentHash);
            writer.WriteNumber("roomVersion", message.RoomVersion);
            // Only when there is one, so that files without a watermark keep their bytes.
            if (!string.IsNullOrEmpty(message.Options.Watermark))
                writer.WriteString("watermark", message.Options.Watermark);
            writer.WriteEndObject();
            writer.WritePropertyName("room");
            writer.WriteRawValue(body, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static string Rfc3339(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
