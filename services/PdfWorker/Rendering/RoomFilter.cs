using Sts.Api.V1;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Rendering;

/// <summary>Cuts a room down to the sections a snapshot's <see cref="RenderOptions"/> ask for.</summary>
public static class RoomFilter
{
    /// <summary>
    /// Returns a room holding only the included sections, with the activity log cut to its newest
    /// <see cref="RenderOptions.ActivityLimit"/> entries when that is above 0. The result shares its
    /// elements with <paramref name="room"/> rather than deep-copying them (a 50,000-entry log would
    /// cost more to clone than to render), so treat both as read-only.
    /// </summary>
    public static Room Apply(Room room, RenderOptions options)
    {
        var result = new Room
        {
            Id = room.Id,
            Title = room.Title,
            Location = room.Location,
            StsEta = room.StsEta,
            Version = room.Version,
            UpdateTime = room.UpdateTime,
        };
        result.Vessels.AddRange(room.Vessels);
        result.Parties.AddRange(room.Parties);
        if (options.IncludeDocuments)
            result.Documents.AddRange(room.Documents);
        if (options.IncludeApprovals)
            result.Approvals.AddRange(room.Approvals);
        if (options.IncludeActivity)
        {
            // The log is kept oldest first (room.proto), so the newest N are the last N.
            var skip = options.ActivityLimit > 0 ? Math.Max(0, room.Activities.Count - options.ActivityLimit) : 0;
            result.Activities.AddRange(room.Activities.Skip(skip));
        }
        return result;
    }
}
