using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;

namespace Sts.Chaos;

/// <summary>The rooms a run snapshots: built in code, small enough that renders are quick on two cores.</summary>
public static class ChaosRooms
{
    public const string Creator = "owner@chaos.test";

    private static readonly string[] DocumentTypes = ["Q88 Questionnaire", "Certificate of Insurance", "Mooring Plan", "Fender Certificate", "Crew List"];
    private static readonly DocumentStatus[] Statuses = [DocumentStatus.Approved, DocumentStatus.Pending, DocumentStatus.UnderReview, DocumentStatus.Rejected];

    /// <summary>Room id and how many documents and activity entries it holds.</summary>
    public static readonly (string Id, int Documents, int Activities)[] Shapes =
    [
        ("chaos-small", 3, 10),
        ("chaos-medium", 40, 300),
        ("chaos-busy", 250, 2500),
    ];

    /// <summary>A room whose PDF takes several hundred milliseconds: sent in bursts only where a stop must find renders in hand.</summary>
    public static readonly (string Id, int Documents, int Activities) Heavy = ("chaos-heavy", 2000, 20000);

    public static IEnumerable<Room> All() => Shapes.Append(Heavy).Select(s => Build(s.Id, s.Documents, s.Activities));

    private static Room Build(string id, int documents, int activities)
    {
        var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        var room = new Room
        {
            Id = id,
            Title = $"Chaos transfer {id}",
            Location = "Off Skaw, Denmark",
            StsEta = Timestamp.FromDateTimeOffset(start.AddDays(30)),
            Vessels =
            {
                new Vessel { Name = "MT Aurora", Imo = "9000101", Role = VesselRole.Mother },
                new Vessel { Name = "MT Boreas", Imo = "9100101", Role = VesselRole.Daughter },
            },
            Parties =
            {
                new Party { Email = Creator, Role = PartyRole.Owner, Company = "Aurora Shipping", Name = "Olga Owner" },
                new Party { Email = "broker@chaos.test", Role = PartyRole.Broker, Company = "Skaw Brokers", Name = "Bo Broker" },
                new Party { Email = "buyer@chaos.test", Role = PartyRole.Buyer, Company = "Nordic Fuels", Name = "Bea Buyer" },
            },
            Approvals = { new Approval { PartyRole = PartyRole.Owner, Status = ApprovalStatus.Granted, DecidedBy = Creator, DecidedAt = Timestamp.FromDateTimeOffset(start) } },
        };
        for (var i = 0; i < documents; i++)
        {
            room.Documents.Add(new Document
            {
                Id = $"doc-{i + 1}",
                Type = DocumentTypes[i % DocumentTypes.Length],
                Vessel = i % 2 == 0 ? "MT Aurora" : "MT Boreas",
                Status = Statuses[i % Statuses.Length],
                ExpiresOn = start.AddDays(60 + i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                UploadedBy = Creator,
                Notes = $"Revision {i % 4} of the {DocumentTypes[i % DocumentTypes.Length]}.",
            });
        }
        for (var i = 0; i < activities; i++)
        {
            room.Activities.Add(new Activity
            {
                At = Timestamp.FromDateTimeOffset(start.AddMinutes(i)),
                Actor = i % 3 == 0 ? Creator : "broker@chaos.test",
                Action = i % 2 == 0 ? "document.uploaded" : "message.posted",
                Detail = $"Entry {i + 1}: cargo line-up and mooring arrangements discussed.",
            });
        }
        return room;
    }
}
