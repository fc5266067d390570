using System.Globalization;
using System.Text;
using System.Text.Json;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Rooms;

namespace Sts.PdfWorker.Tests.Rendering;

public sealed class JsonRendererTests
{
    private readonly JsonRenderer _renderer = new();

    [Fact]
    public void Json_room_equals_the_input_room_and_hashes_to_the_content_hash()
    {
        var room = Snapshots.Fixture("medium");
        var message = Snapshots.For(room, "json");

        using var json = JsonDocument.Parse(_renderer.Render(message, room).Content);
        var roomJson = json.RootElement.GetProperty("room").GetRawText();

        Assert.Equal(room, RoomState.Parse(roomJson));
        Assert.Equal(message.ContentHash, RoomState.Sha256Hex(roomJson));
    }

    [Fact]
    public void Json_snapshot_metadata_matches_the_message()
    {
        var room = Snapshots.Small();
        var message = Snapshots.For(room, "json", Snapshots.Everything with { ActivityLimit = 7 });

        using var json = JsonDocument.Parse(_renderer.Render(message, room).Content);
        var snapshot = json.RootElement.GetProperty("snapshot");

        Assert.Equal(message.SnapshotId, snapshot.GetProperty("id").GetGuid());
        Assert.Equal(message.RoomId, snapshot.GetProperty("roomId").GetString());
        Assert.Equal(message.Title, snapshot.GetProperty("title").GetString());
        Assert.Equal(message.CreatedBy, snapshot.GetProperty("createdBy").GetString());
        Assert.Equal("2026-11-20T14:03:07Z", snapshot.GetProperty("createdAt").GetString());
        Assert.Equal(message.CreatedAt, DateTimeOffset.Parse(snapshot.GetProperty("createdAt").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal("json", snapshot.GetProperty("format").GetString());
        Assert.Equal(message.ContentHash, snapshot.GetProperty("contentHash").GetString());
        Assert.Equal(message.RoomVersion, snapshot.GetProperty("roomVersion").GetInt64());
        var options = snapshot.GetProperty("options");
        Assert.True(options.GetProperty("includeDocuments").GetBoolean());
        Assert.True(options.GetProperty("includeActivity").GetBoolean());
        Assert.True(options.GetProperty("includeApprovals").GetBoolean());
        Assert.Equal(7, options.GetProperty("activityLimit").GetInt32());
    }

    [Fact]
    public void Json_room_leaves_out_excluded_sections_and_keeps_the_newest_activity()
    {
        var room = Snapshots.Fixture("small");
        var options = new Sts.Shared.Messaging.RenderOptions(IncludeDocuments: false, IncludeActivity: true, IncludeApprovals: false, ActivityLimit: 3);

        using var json = JsonDocument.Parse(_renderer.Render(Snapshots.For(room, "json", options), room).Content);
        var rendered = RoomState.Parse(json.RootElement.GetProperty("room").GetRawText());

        Assert.Empty(rendered.Documents);
        Assert.Empty(rendered.Approvals);
        Assert.Equal(room.Parties, rendered.Parties);
        Assert.Equal(room.Activities.Skip(room.Activities.Count - 3), rendered.Activities);
    }

    [Fact]
    public void Json_is_utf8_without_bom_readable_and_repeatable()
    {
        var room = Snapshots.Small();
        room.Title = "Μεταφορά Αθηνά / Дмитрий";
        var message = Snapshots.For(room, "json") with { Title = "Société Générale" };

        var first = _renderer.Render(message, room).Content;
        var second = _renderer.Render(message, room).Content;

        Assert.Equal(first, second);
        Assert.False(first.AsSpan().StartsWith("\uFEFF"u8), "the JSON must not start with a byte-order mark");
        var text = Encoding.UTF8.GetString(first);
        Assert.Contains("Société Générale", text, StringComparison.Ordinal);
        Assert.Contains("Μεταφορά Αθηνά / Дмитрий", text, StringComparison.Ordinal);
    }
}
