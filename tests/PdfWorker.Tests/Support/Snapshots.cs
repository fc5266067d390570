using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

namespace Sts.PdfWorker.Tests.Support;

/// <summary>Rooms and GenerateSnapshot messages for rendering tests.</summary>
internal static class Snapshots
{
    public static readonly Guid Id = Guid.Parse("7b0c3c1e-2f4a-4d5b-9c61-0a8e2f3d4b5c");
    public static readonly DateTimeOffset CreatedAt = new(2026, 11, 20, 14, 3, 7, TimeSpan.Zero);
    public static readonly RenderOptions Everything = new(IncludeDocuments: true, IncludeActivity: true, IncludeApprovals: true, ActivityLimit: 0);

    public static GenerateSnapshot For(Room room, string format, RenderOptions? options = null, Guid? id = null)
    {
        var state = RoomState.ToCanonicalJson(room);
        return new GenerateSnapshot
        {
            SnapshotId = id ?? Id,
            TaskId = Guid.Parse("0d6f3a52-7c1b-4e8a-9f20-3b5c7d9e1f24"),
            RoomId = room.Id,
            Title = "Pre-transfer review",
            CreatedBy = "broker1@example.com",
            CreatedAt = CreatedAt,
            Format = format,
            Options = options ?? Everything,
            RoomVersion = room.Version,
            ContentHash = RoomState.Sha256Hex(state),
            RoomState = state,
        };
    }

    /// <summary>A shared sample room (fixtures/rooms/{name}.json), which lives in shared/ beside the repo.</summary>
    public static Room Fixture(string name) => RoomFile.Parse(File.ReadAllText(FixturePath(name)));

    /// <summary>
    /// The international room (Rooms/international.json, also the render benchmark's): parties, companies, vessels,
    /// document notes and activity in Chinese (simplified and traditional), Japanese, Korean, Arabic, Hebrew, Thai
    /// and Hindi, and mixed strings such as "محمد العلي 2026" and "現代 Glory-7".
    /// </summary>
    public static Room International() => RoomFile.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rooms", "international.json")));

    /// <summary>A small room with one of everything; tests add what they are about.</summary>
    public static Room Small()
    {
        var at = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        return new Room
        {
            Id = "room-77",
            Title = "STS Transfer MT Aurora / MT Boreas",
            Location = "Off Skaw, Denmark",
            StsEta = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)),
            Version = 3,
            Vessels =
            {
                new Vessel { Name = "MT Aurora", Imo = "9000101", Role = VesselRole.Mother },
                new Vessel { Name = "MT Boreas", Imo = "9100101", Role = VesselRole.Daughter },
            },
            Parties = { new Party { Email = "owner@example.com", Role = PartyRole.Owner, Company = "Nordic Tankers AS", Name = "Ingrid Larsen" } },
            Documents =
            {
                new Document
                {
                    Id = "doc-1", Type = "Q88 Questionnaire", Vessel = "MT Aurora", Status = DocumentStatus.Rejected,
                    ExpiresOn = "2027-01-03", UploadedBy = "owner@example.com", Notes = "Checked against original.",
                },
            },
            Approvals = { new Approval { PartyRole = PartyRole.Owner, Status = ApprovalStatus.Granted, DecidedBy = "owner@example.com", DecidedAt = at } },
            Activities = { new Activity { At = at, Actor = "owner@example.com", Action = "document.uploaded", Detail = "Q88" } },
        };
    }

    private static string FixturePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Sts.sln")))
                continue;
            var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "rooms", $"{name}.json"));
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"Sample room '{name}' not found at {path}; the shared/ folder must sit beside the repo.");
        }
        throw new DirectoryNotFoundException("Could not find the repo root (Sts.sln) above " + AppContext.BaseDirectory);
    }
}
