using System.Text.RegularExpressions;
using Sts.Api.V1;
using Sts.Shared.Rooms;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Rooms;

/// <summary>Validates room content; the limits are the ones documented in room.proto.</summary>
public static partial class RoomValidator
{
    public const int MaxVessels = RoomLimits.Vessels;
    public const int MaxParties = RoomLimits.Parties;
    public const int MaxDocuments = RoomLimits.Documents;
    public const int MaxApprovals = RoomLimits.Approvals;
    public const int MaxActivities = RoomLimits.Activities;
    public const int MaxAppend = RoomLimits.Append;
    public const int MaxRoomBytes = RoomLimits.Bytes;

    /// <summary>What one more activity entry adds to a room's encoded size.</summary>
    public static int EncodedSize(Activity activity) => 1 + Google.Protobuf.CodedOutputStream.ComputeMessageSize(activity);

    public static void Validate(Room? room, FieldValidator v)
    {
        if (room is null)
        {
            v.Add("room", "is required");
            return;
        }
        v.Id("room.id", room.Id);
        v.Text("room.title", room.Title, 1, RoomLimits.ShortText);
        v.Text("room.location", room.Location, 0, RoomLimits.ShortText);
        v.Timestamp("room.sts_eta", room.StsEta, required: false);

        v.Count("room.vessels", room.Vessels.Count, MaxVessels);
        for (var i = 0; i < Math.Min(room.Vessels.Count, MaxVessels); i++)
        {
            var vessel = room.Vessels[i];
            var f = $"room.vessels[{i}]";
            v.Text($"{f}.name", vessel.Name, 1, RoomLimits.ShortText);
            if (!ImoPattern().IsMatch(vessel.Imo)) v.Add($"{f}.imo", "must be seven digits");
            v.Enum($"{f}.role", vessel.Role);
        }

        v.Count("room.parties", room.Parties.Count, MaxParties);
        // Compared as stored (lower-cased invariantly), so look-alikes such as the Kelvin sign cannot collide in the table.
        var emails = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(room.Parties.Count, MaxParties); i++)
        {
            var party = room.Parties[i];
            var f = $"room.parties[{i}]";
            v.Email($"{f}.email", party.Email);
            if (!emails.Add(party.Email.ToLowerInvariant())) v.Add($"{f}.email", "appears twice; a person has one role in a room");
            v.Enum($"{f}.role", party.Role);
            v.Text($"{f}.company", party.Company, 0, RoomLimits.ShortText);
            v.Text($"{f}.name", party.Name, 0, RoomLimits.ShortText);
        }

        v.Count("room.documents", room.Documents.Count, MaxDocuments);
        var documentIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(room.Documents.Count, MaxDocuments); i++)
        {
            var doc = room.Documents[i];
            var f = $"room.documents[{i}]";
            v.Id($"{f}.id", doc.Id);
            if (!documentIds.Add(doc.Id)) v.Add($"{f}.id", "appears twice");
            v.Text($"{f}.type", doc.Type, 1, RoomLimits.ShortText);
            v.Text($"{f}.vessel", doc.Vessel, 0, RoomLimits.ShortText);
            v.Enum($"{f}.status", doc.Status);
            v.Date($"{f}.expires_on", doc.ExpiresOn);
            v.Email($"{f}.uploaded_by", doc.UploadedBy, required: false);
            v.Text($"{f}.notes", doc.Notes, 0, RoomLimits.LongText, multiLine: true);
        }

        v.Count("room.approvals", room.Approvals.Count, MaxApprovals);
        for (var i = 0; i < Math.Min(room.Approvals.Count, MaxApprovals); i++)
        {
            var approval = room.Approvals[i];
            var f = $"room.approvals[{i}]";
            v.Enum($"{f}.party_role", approval.PartyRole);
            v.Enum($"{f}.status", approval.Status);
            v.Email($"{f}.decided_by", approval.DecidedBy, required: false);
            v.Timestamp($"{f}.decided_at", approval.DecidedAt, required: false);
        }

        v.Count("room.activities", room.Activities.Count, MaxActivities);
        ValidateActivities("room.activities", room.Activities, MaxActivities, v);

        var size = room.CalculateSize();
        if (size > MaxRoomBytes)
            v.Add("room", $"encodes to {size} bytes; a room holds at most {MaxRoomBytes} bytes (15 MiB) in all");
    }

    public static void ValidateActivities(string field, IReadOnlyList<Activity> activities, int max, FieldValidator v)
    {
        for (var i = 0; i < Math.Min(activities.Count, max) && !v.Full; i++)
        {
            var a = activities[i];
            var f = $"{field}[{i}]";
            v.Timestamp($"{f}.at", a.At, required: true);
            v.Email($"{f}.actor", a.Actor, required: false);
            if (!ActionPattern().IsMatch(a.Action)) v.Add($"{f}.action", "must be a dotted lower-case verb such as \"document.uploaded\", 1-64 characters");
            v.Text($"{f}.detail", a.Detail, 0, RoomLimits.LongText, multiLine: true);
        }
    }

    [GeneratedRegex("^[0-9]{7}\\z")]
    private static partial Regex ImoPattern();

    [GeneratedRegex("^(?=.{1,64}\\z)[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*\\z")]
    private static partial Regex ActionPattern();
}
