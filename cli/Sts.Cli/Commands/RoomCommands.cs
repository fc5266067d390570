using System.CommandLine;
using System.Text.Json;
using Google.Protobuf;
using Sts.Api.V1;
using Sts.Cli.Display;
using Sts.Shared.Rooms;
using static Sts.Cli.Display.ValueText;

namespace Sts.Cli.Commands;

/// <summary>sts rooms upsert|get.</summary>
public static class RoomCommands
{
    public static Command Create() => new("rooms", "Keep the service's copy of a room up to date, or read it.") { Upsert(), Get() };

    private static Command Upsert()
    {
        var file = new Option<FileInfo>("--file") { Description = "Room file in the platform's export format (fixtures/rooms/*.json).", Required = true };
        file.AcceptExistingOnly();
        var command = new Command("upsert", "Create the room or replace its whole content (as the platform's service principal).") { file };
        var api = new ApiOptions(command, DevIdentity.Platform);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var room = await LoadAsync(parseResult.GetRequiredValue(file), ct);
            var response = await connection.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }, connection.Unary(ct));
            var summary = response.Room;
            Details.Write(
                ("id", summary.Id),
                ("version", Number(summary.Version)),
                ("parties", Number(summary.PartyCount)),
                ("documents", Number(summary.DocumentCount)),
                ("approvals", Number(summary.ApprovalCount)),
                ("activities", Number(summary.ActivityCount)),
                ("updated", Time(summary.UpdateTime)));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Get()
    {
        var roomId = new Argument<string>("room-id") { Description = "The room to read." };
        var command = new Command("get", "Show a room's summary: title, location, vessels and counts.") { roomId };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new GetRoomRequest { RoomId = parseResult.GetRequiredValue(roomId) };
            var room = (await connection.Rooms.GetRoomAsync(request, connection.Unary(ct))).Room;
            Details.Write(
                ("id", room.Id),
                ("title", room.Title),
                ("location", room.Location),
                ("sts eta", Time(room.StsEta)),
                ("vessels", string.Join(", ", room.Vessels.Select(v => $"{v.Name} (IMO {v.Imo}, {Word(v.Role)})"))),
                ("parties", Counted(room.Parties.Count, room.Parties.Select(p => p.Role))),
                ("documents", Counted(room.Documents.Count, room.Documents.Select(d => d.Status))),
                ("approvals", Counted(room.Approvals.Count, room.Approvals.Select(a => a.Status))),
                ("activities", Number(room.Activities.Count)),
                ("version", Number(room.Version)),
                ("updated", Time(room.UpdateTime)));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<Room> LoadAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            return await RoomFile.LoadAsync(file.FullName, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidProtocolBufferException or FormatException)
        {
            throw new CliException($"{file.FullName} is not a room file: {ex.Message}", ExitCodes.InvalidArguments);
        }
    }

    /// <summary>"412 (APPROVED 200, PENDING 12)": a total and its breakdown by status or role.</summary>
    private static string Counted<T>(int total, IEnumerable<T> kinds) where T : struct, Enum
    {
        var breakdown = kinds.GroupBy(k => k).OrderByDescending(g => g.Count()).Select(g => $"{Word(g.Key)} {Number(g.Count())}");
        return total == 0 ? "0" : $"{Number(total)} ({string.Join(", ", breakdown)})";
    }
}
