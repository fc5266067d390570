using System.Text;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.Shared.Rooms;

namespace Sts.Bench.Load;

/// <summary>
/// Rooms at the API's own limits, or at a fraction of them: every count at its maximum (times the fraction), short
/// texts (titles, names, companies, types, vessels, actions) at their maximum lengths, every 25th note and every
/// 250th activity detail at the 4,000-character maximum, and the other notes and details as long as the room's
/// total size limit (RoomLimits.Bytes, times the fraction) allows. Texts mix Latin, Greek, Cyrillic, Chinese,
/// Korean, Japanese and Arabic. The same arguments always give the same room.
/// </summary>
public static class LimitRoom
{
    // Only characters of the Basic Multilingual Plane, so that cutting a text anywhere never splits a pair.
    private const string Sample =
        "Ship-to-ship transfer off Skaw: fenders rigged, hoses connected. Μεταφόρτωση φορτίου. Перевалка нефти завершена. " +
        "船对船过驳作业完成。 선박 간 환적 완료. 船舶間の積み替え。 تم نقل الشحنة بين السفينتين. ";

    public static Room Build(string id, double fraction)
    {
        if (fraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(fraction), "must be in (0, 1]");
        int Scaled(int max, int least) => Math.Max(least, (int)Math.Round(max * fraction));
        var at = new DateTimeOffset(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);
        var room = new Room
        {
            Id = id,
            Title = Text(RoomLimits.ShortText, 0),
            Location = Text(RoomLimits.ShortText, 7),
            StsEta = Timestamp.FromDateTimeOffset(at.AddDays(30)),
        };
        for (var i = 0; i < Scaled(RoomLimits.Vessels, 2); i++)
            room.Vessels.Add(new Vessel { Name = Text(RoomLimits.ShortText, i), Imo = (9_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Role = i == 0 ? VesselRole.Mother : VesselRole.Daughter });
        var roles = new[] { PartyRole.Owner, PartyRole.Broker, PartyRole.Charterer, PartyRole.Seller, PartyRole.Buyer, PartyRole.Admin };
        for (var i = 0; i < Scaled(RoomLimits.Parties, roles.Length); i++)
            room.Parties.Add(new Party { Email = Email(i), Role = roles[i % roles.Length], Company = Text(RoomLimits.ShortText, i + 3), Name = Text(RoomLimits.ShortText, i + 5) });
        for (var i = 0; i < Scaled(RoomLimits.Approvals, 1); i++)
            room.Approvals.Add(new Approval { PartyRole = roles[i % roles.Length], Status = ApprovalStatus.Granted, DecidedBy = Email(i), DecidedAt = Timestamp.FromDateTimeOffset(at.AddMinutes(i)) });
        var documents = Scaled(RoomLimits.Documents, 1);
        for (var i = 0; i < documents; i++)
        {
            room.Documents.Add(new Document
            {
                Id = $"doc-{i:D5}", Type = Text(RoomLimits.ShortText, i), Vessel = room.Vessels[i % room.Vessels.Count].Name,
                Status = (DocumentStatus)(1 + i % 6), ExpiresOn = i % 3 == 0 ? "" : "2027-06-30", UploadedBy = Email(i),
                Notes = i % 25 == 0 ? Text(RoomLimits.LongText, i) : "",
            });
        }
        var activities = Scaled(RoomLimits.Activities, 1);
        var action = "document." + new string('x', RoomLimits.Action - "document.".Length);
        for (var i = 0; i < activities; i++)
        {
            room.Activities.Add(new Activity
            {
                At = Timestamp.FromDateTimeOffset(at.AddSeconds(i)), Actor = Email(i), Action = action,
                Detail = i % 250 == 0 ? Text(RoomLimits.LongText, i) : "",
            });
        }
        FillTo(room, (long)(RoomLimits.Bytes * fraction) - 1024);
        return room;
    }

    // Sizes grow linearly with the length of the texts still empty, so one trial length gives the slope.
    private static void FillTo(Room room, long target)
    {
        var empty = room.Documents.Where(d => d.Notes.Length == 0).Select(d => (Action<string>)(t => d.Notes = t))
            .Concat(room.Activities.Where(a => a.Detail.Length == 0).Select(a => (Action<string>)(t => a.Detail = t)))
            .ToList();
        var before = room.CalculateSize();
        const int trial = 100;
        for (var i = 0; i < empty.Count; i++) empty[i](Text(trial, i));
        var perChar = (double)(room.CalculateSize() - before) / (empty.Count * trial);
        var length = Math.Clamp((int)((target - before) / (perChar * empty.Count)), 0, RoomLimits.LongText);
        while (true)
        {
            for (var i = 0; i < empty.Count; i++) empty[i](Text(length, i));
            if (room.CalculateSize() <= target || length == 0) return;
            length -= Math.Max(1, length / 100);
        }
    }

    private static string Email(int i) => $"party{i:D4}@fleet-operations.example";

    private static string Text(int length, int offset)
    {
        var sb = new StringBuilder(length);
        for (var i = offset * 7; sb.Length < length; i++) sb.Append(Sample[i % Sample.Length]);
        return sb.ToString();
    }
}
