using Sts.PdfWorker.Rendering;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

namespace Sts.PdfWorker.Generation;

/// <summary>
/// The render cache key: the content hash of the frozen room state, the options, the format, the renderer
/// version, and whatever of the snapshot itself the renderer's body shows (nothing for CSV and JSON).
/// </summary>
public static class RenderCacheKey
{
    public static string For(ISnapshotRenderer renderer, GenerateSnapshot message)
    {
        var o = message.Options;
        var material = string.Join('\n',
            renderer.Format, renderer.Version, message.ContentHash,
            $"{o.IncludeDocuments}|{o.IncludeActivity}|{o.IncludeApprovals}|{o.ActivityLimit}",
            renderer.CacheIdentity(message));
        return RoomState.Sha256Hex(material);
    }
}
