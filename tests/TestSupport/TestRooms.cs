using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.Shared.Rooms;

namespace Sts.Tests.Support;

/// <summary>Rooms for tests: the shared sample files, and small rooms built to order.</summary>
public static class TestRooms
{
    /// <summary>One party per role, with predictable emails: "{role}@{roomId}.test".</summary>
    public static readonly PartyRole[] Roles =
        [PartyRole.Owner, PartyRole.Broker, PartyRole.Charterer, PartyRole.Seller, PartyRole.Buyer, PartyRole.Admin];

    public static string UniqueId(string prefix = "room") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];

    public static string Email(string roomId, PartyRole role) => $"{role.ToString().ToLowerInvariant()}@{roomId}.test";

    public static Room WithEveryRole(string? id = null)
    {
        id ??= UniqueId();
        var at = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        var room = new Room
        {
            Id = id,
            Title = $"STS Transfer {id}",
            Location = "Off Skaw, Denmark",
            StsEta = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)),
            Vessels =
            {
                new Vessel { Name = "MT Aurora", Imo = "9000101", Role = VesselRole.Mother },
                new Vessel { Name = "MT Boreas", Imo = "9100101", Role = VesselRole.Daughter },
            },
            Documents =
            {
                new Document { Id = "doc-1", Type = "Q88 Questionnaire", Vessel = "MT Aurora", Status = DocumentStatus.Approved, ExpiresOn = "2027-01-03", UploadedBy = Email(id, PartyRole.Owner) },
            },
            Approvals = { new Approval { PartyRole = PartyRole.Owner, Status = ApprovalStatus.Granted, DecidedBy = Email(id, PartyRole.Owner), DecidedAt = at } },
            Activities = { new Activity { At = at, Actor = Email(id, PartyRole.Owner), Action = "document.uploaded", Detail = "Q88" } },
        };
        foreach (var role in Roles)
            room.Parties.Add(new Party { Email = Email(id, role), Role = role, Company = $"{role} Co", Name = $"{role} Person" });
        return room;
    }

    /// <summary>A room at every size limit, upserted: its PDF takes seconds, long enough to act in the middle of a render.</summary>
    public static async Task<Room> SlowAsync(ApiFixture api)
    {
        var room = FuzzRooms.AtEveryLimit(new Hostile(5), UniqueId("slow"));
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, deadline: DateTime.UtcNow.AddSeconds(120));
        return room;
    }

    public static Room Fixture(string name, string? id = null)
    {
        var room = RoomFile.Parse(File.ReadAllText(FixturePath(name)));
        if (id is not null) room.Id = id;
        return room;
    }

    public static string FixturePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sts.sln")))
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "rooms", $"{name}.json"));
                if (File.Exists(path)) return path;
                throw new FileNotFoundException($"Sample room '{name}' not found at {path}; the shared/ folder must sit beside the repo.");
            }
        }
        throw new DirectoryNotFoundException("Could not find the repo root (Sts.sln) above " + AppContext.BaseDirectory);
    }
}
