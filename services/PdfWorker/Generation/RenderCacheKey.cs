using Sts.PdfWorker.Rendering;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

namespace Sts.PdfWorker.Generation;

/// <summary>
/// The render cache key: the content hash of the frozen room state, the options (watermark included), the snapshot
/// compared with (its id and content hash, for a "Changes since" section), the format, the renderer version, and
/// whatever of the snapshot itself the renderer's body shows (nothing for CSV and JSON).
/// </summary>
public static class RenderCacheKey
{
    public static string For(ISnapshotRenderer renderer, GenerateSnapshot message)
    {
        var o = message.Options;
        // The watermark is user text: length-prefixed, so that no watermark can imitate the fields after it.
        var watermark = o.Watermark ?? "";
        var material = string.Join('\n',
            renderer.Format, renderer.Version, message.ContentHash,
            $"{o.IncludeDocuments}|{o.IncludeActivity}|{o.IncludeApprovals}|{o.ActivityLimit}|{watermark.Length}:{watermark}",
            message.CompareTo is { } c ? $"{c.SnapshotId:D}|{c.ContentHash}" : "",
            renderer.CacheIdentity(message));
        return RoomState.Sha256Hex(material);
    }
}
