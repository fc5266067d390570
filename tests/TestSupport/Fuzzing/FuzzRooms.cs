using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;

namespace Sts.Tests.Support;

/// <summary>Rooms for the fuzzer: valid ones, valid ones with a few hostile fields, and ones at or past the documented limits.</summary>
public static class FuzzRooms
{
    /// <summary>The parties of the fuzzer's rooms (and of a room at every limit).</summary>
    public static readonly string[] Parties = Enumerable.Range(0, 8).Select(i => $"party{i}@fuzz.test").ToArray();

    private static readonly string[] Verbs = ["document.uploaded", "approval.granted", "message.posted", "vessel.arrived", "a", "x.y_z.w0"];

    private static readonly string[] Dates = ["", "2027-01-03", "2026-02-29", "2026-02-30", "9999-12-31", "0001-01-01", "0000-01-01", "2027-1-3", "2027-01-03T00:00:00Z", "27-01-03"];

    /// <summary>A small room that passes validation: a few of everything, parties drawn from <paramref name="emails"/>.</summary>
    public static Room Valid(Hostile h, string id, IReadOnlyList<string> emails)
    {
        var room = new Room
        {
            Id = id,
            Title = $"Fuzz room {id}",
            Location = h.Pick(["", "Off Skaw", "Lomé anchorage", "Kalamata 🌊"]),
            StsEta = h.Chance(0.8) ? h.ValidTimestamp() : null,
            Vessels =
            {
                new Vessel { Name = "MT Mother", Imo = Imo(h), Role = VesselRole.Mother },
                new Vessel { Name = "MT Daughter", Imo = Imo(h), Role = VesselRole.Daughter },
            },
        };
        foreach (var email in emails.Where(_ => h.Chance(0.7)))
            room.Parties.Add(new Party { Email = email, Role = h.Pick(Roles), Company = "Fuzz Co", Name = "Fuzz Person" });
        for (var i = h.Rng.Next(6); i > 0; i--)
            room.Documents.Add(ValidDocument(h, $"doc-{i}"));
        for (var i = h.Rng.Next(4); i > 0; i--)
            room.Approvals.Add(new Approval { PartyRole = h.Pick(Roles), Status = ApprovalStatus.Granted, DecidedBy = h.Pick(emails), DecidedAt = h.ValidTimestamp() });
        for (var i = h.Rng.Next(11); i > 0; i--)
            room.Activities.Add(ValidActivity(h));
        return room;
    }

    public static Activity ValidActivity(Hostile h) => new()
    {
        At = h.ValidTimestamp(),
        Actor = h.Pick(["", "owner@fuzz.test", "x@y"]),
        Action = h.Pick(Verbs),
        Detail = h.Pick(["", "Fenders rigged", "Line one\r\n\tindented", "Ünïcödé ✓"]),
    };

    /// <summary>Sets a few fields of a valid room to hostile values, or to valid values past a limit.</summary>
    public static void Mutate(Hostile h, Room room)
    {
        switch (h.Rng.Next(16))
        {
            case 0: room.Id = h.Text(); break;
            case 1: room.Title = h.Text(); break;
            case 2: room.Location = h.Text(); break;
            case 3: room.StsEta = h.Timestamp(); break;
            case 4:
                var vessel = room.Vessels[h.Rng.Next(room.Vessels.Count)];
                switch (h.Rng.Next(3))
                {
                    case 0: vessel.Name = h.Text(); break;
                    case 1: vessel.Imo = h.Or(h.Rng.Next(0, 100_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture), 0.5); break;
                    default: vessel.Role = h.Enum<VesselRole>(); break;
                }
                break;
            case 5:
                while (room.Vessels.Count < h.Rng.Next(9, 13)) room.Vessels.Add(room.Vessels[0].Clone());
                break;
            case 6 when room.Parties.Count > 0:
                var party = room.Parties[h.Rng.Next(room.Parties.Count)];
                switch (h.Rng.Next(4))
                {
                    case 0: party.Email = h.Text(); break;
                    case 1: party.Role = h.Enum<PartyRole>(); break;
                    case 2: party.Company = h.Text(); break;
                    default: party.Name = h.Text(); break;
                }
                break;
            case 7 when room.Parties.Count > 0:
                room.Parties.Add(new Party(room.Parties[0]) { Email = h.Chance(0.5) ? room.Parties[0].Email.ToUpperInvariant() : room.Parties[0].Email });
                break;
            case 8:
                var document = ValidDocument(h, h.Or($"doc-{h.Rng.Next(100)}", 0.5));
                switch (h.Rng.Next(7))
                {
                    case 0: document.Type = h.Text(); break;
                    case 1: document.Vessel = h.Text(); break;
                    case 2: document.Status = h.Enum<DocumentStatus>(); break;
                    case 3: document.ExpiresOn = h.Chance(0.7) ? h.Pick(Dates) : h.Text(); break;
                    case 4: document.UploadedBy = h.Text(); break;
                    case 5: document.Notes = h.Text(); break;
                    default: document.Id = h.Text(); break;
                }
                room.Documents.Add(document);
                break;
            case 9:
                room.Documents.Add(ValidDocument(h, "doc-dup"));
                room.Documents.Add(ValidDocument(h, "doc-dup"));
                break;
            case 10:
                room.Approvals.Add(new Approval
                {
                    PartyRole = h.Enum<PartyRole>(), Status = h.Enum<ApprovalStatus>(), DecidedBy = h.Or("x@y", 0.3), DecidedAt = h.Timestamp(),
                });
                break;
            case 11:
                var activity = ValidActivity(h);
                MutateActivity(h, activity);
                room.Activities.Add(activity);
                break;
            case 12:
                for (var i = h.Rng.Next(495, 503) - room.Parties.Count; i > 0; i--)
                    room.Parties.Add(new Party { Email = $"extra{i}@fuzz.test", Role = PartyRole.Buyer });
                break;
            case 13:
                room.Title = new string('T', h.Pick([200, 201]));
                room.Location = new string('L', h.Pick([200, 201]));
                break;
            case 14:
                room.Documents.Add(new Document());
                room.Approvals.Add(new Approval());
                room.Activities.Add(new Activity());
                break;
            default:
                room.Vessels.Add(new Vessel());
                room.Parties.Add(new Party());
                break;
        }
    }

    public static void MutateActivity(Hostile h, Activity activity)
    {
        switch (h.Rng.Next(4))
        {
            case 0: activity.At = h.Timestamp(); break;
            case 1: activity.Actor = h.Text(); break;
            case 2: activity.Action = h.Chance(0.5) ? h.Pick(["Document.Uploaded", "document.", ".x", "a..b", "1st.action", new string('a', 65)]) : h.Text(); break;
            default: activity.Detail = h.Text(); break;
        }
    }

    /// <summary>A room at every documented limit at once: 10 vessels, 500 parties, 5,000 documents, 500 approvals, 50,000 activities.</summary>
    public static Room AtEveryLimit(Hostile h, string id)
    {
        var room = Valid(h, id, Parties);
        room.Parties.Clear();
        while (room.Vessels.Count < 10) room.Vessels.Add(new Vessel { Name = $"MT {room.Vessels.Count}", Imo = Imo(h), Role = VesselRole.Daughter });
        room.Parties.Add(Parties.Select((e, i) => new Party { Email = e, Role = Roles[i % Roles.Length] }));
        while (room.Parties.Count < 500) room.Parties.Add(new Party { Email = $"bulk{room.Parties.Count}@fuzz.test", Role = PartyRole.Buyer });
        room.Documents.Clear();
        room.Documents.Add(Documents(h, 5_000));
        room.Approvals.Clear();
        room.Approvals.Add(Enumerable.Range(0, 500).Select(_ => new Approval { PartyRole = PartyRole.Owner, Status = ApprovalStatus.Pending }));
        room.Activities.Clear();
        room.Activities.Add(Enumerable.Range(0, 50_000).Select(_ => ValidActivity(h)));
        return room;
    }

    /// <summary>Valid documents with distinct ids.</summary>
    public static IEnumerable<Document> Documents(Hostile h, int count) => Enumerable.Range(0, count).Select(i => ValidDocument(h, $"doc-{i}"));

    private static readonly PartyRole[] Roles =
        [PartyRole.Owner, PartyRole.Broker, PartyRole.Charterer, PartyRole.Seller, PartyRole.Buyer, PartyRole.Admin];

    private static Document ValidDocument(Hostile h, string id) => new()
    {
        Id = id,
        Type = h.Pick(["Q88 Questionnaire", "Certificate of Insurance", "Mooring plan"]),
        Vessel = "MT Mother",
        Status = h.Pick([DocumentStatus.Pending, DocumentStatus.Approved, DocumentStatus.Missing]),
        ExpiresOn = h.Pick(["", "2027-01-03"]),
        UploadedBy = h.Pick(["", "owner@fuzz.test"]),
        Notes = h.Pick(["", "Checked\r\n\tok"]),
    };

    private static string Imo(Hostile h) => h.Rng.Next(1_000_000, 10_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
