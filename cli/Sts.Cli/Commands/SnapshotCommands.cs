using System.CommandLine;
using Sts.Api.V1;
using Sts.Cli.Display;

namespace Sts.Cli.Commands;

/// <summary>sts snapshots create|get|list|watch|download|delete|hold|release|diff.</summary>
public static class SnapshotCommands
{
    public static Command Create() => new("snapshots", "Create, inspect, follow and download snapshots of rooms.")
    {
        CreateSnapshot(), Get(), List(), Watch(), SnapshotDownload.Create(), Delete(), Hold(hold: true), Hold(hold: false),
        SnapshotDiffCommand.Create(),
    };

    private static Command CreateSnapshot()
    {
        var room = new Option<string>("--room") { Description = "The room to snapshot.", Required = true };
        var title = new Option<string>("--title") { Description = "Title, 1-200 characters.", Required = true };
        var type = EnumOption.Create<SnapshotType>("--type", "File format.");
        type.Required = true;
        var requestId = new Option<string?>("--request-id")
        {
            Description = "Idempotency key (a UUID): repeating it returns the first snapshot. Default: a new one, so that retries are safe.",
            HelpName = "uuid",
        };
        var compareTo = new Option<string>("--compare-to")
        {
            Description = "PDF only: open the file with what changed since this earlier snapshot of the room.",
            HelpName = "snapshot-id",
            DefaultValueFactory = _ => "",
        };
        var scheduled = new Option<bool>("--scheduled") { Description = "Batch or scheduled work: meets a lower backlog bound and renders from its own queue, so people's snapshots go first." };
        var wait = new Option<bool>("--wait") { Description = "Follow the snapshot with a progress bar until it completes or fails." };
        var download = new Option<string?>("--download")
        {
            Description = "Once completed, download the file to this file or existing directory (implies --wait).",
            HelpName = "path",
        };

        var command = new Command("create", "Freeze a room's current state and queue its rendering.")
        {
            room, title, type,
        };
        var options = new SnapshotOptionFlags(command);
        command.Options.Add(compareTo);
        command.Options.Add(requestId);
        command.Options.Add(scheduled);
        command.Options.Add(wait);
        command.Options.Add(download);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var snapshotOptions = options.Read(parseResult);
            snapshotOptions.CompareToSnapshotId = parseResult.GetValue(compareTo) ?? "";
            var request = new CreateSnapshotRequest
            {
                RoomId = parseResult.GetRequiredValue(room),
                Title = parseResult.GetRequiredValue(title),
                Type = parseResult.GetRequiredValue(type),
                Options = snapshotOptions,
                RequestId = parseResult.GetValue(requestId) ?? Guid.NewGuid().ToString("D"),
                Priority = parseResult.GetValue(scheduled) ? SnapshotPriority.Scheduled : SnapshotPriority.Interactive,
            };
            var snapshot = (await connection.Snapshots.CreateSnapshotAsync(request, connection.Unary(ct))).Snapshot;
            SnapshotView.WriteDetails(snapshot);
            var downloadTo = parseResult.GetValue(download);
            if (!parseResult.GetValue(wait) && downloadTo is null) return ExitCodes.Ok;
            var outcome = await SnapshotWatch.FollowAsync(connection, snapshot.Id, ct);
            return outcome != ExitCodes.Ok || downloadTo is null
                ? outcome
                : await SnapshotDownload.DownloadAsync(connection, snapshot.Id, downloadTo, ct);
        }));
        return command;
    }

    private static Command Get()
    {
        var id = SnapshotId();
        var command = new Command("get", "Show one snapshot.") { id };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new GetSnapshotRequest { SnapshotId = parseResult.GetRequiredValue(id) };
            SnapshotView.WriteDetails((await connection.Snapshots.GetSnapshotAsync(request, connection.Unary(ct))).Snapshot);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var room = new Option<string>("--room") { Description = "The room whose snapshots to list.", Required = true };
        var status = EnumOption.Create<SnapshotStatus>("--status", "Only snapshots in this status.");
        var type = EnumOption.Create<SnapshotType>("--type", "Only snapshots of this type.");
        var createdBy = new Option<string>("--created-by") { Description = "Only snapshots created by this email.", HelpName = "email", DefaultValueFactory = _ => "" };
        var command = new Command("list", "List a room's snapshots, newest first.") { room, status, type, createdBy };
        var paging = new PagingOptions(command);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var snapshots = await paging.ReadAsync<Snapshot>(parseResult, async pageToken =>
            {
                var request = new ListSnapshotsRequest
                {
                    RoomId = parseResult.GetRequiredValue(room),
                    Status = parseResult.GetValue(status),
                    Type = parseResult.GetValue(type),
                    CreatedBy = parseResult.GetValue(createdBy) ?? "",
                    PageSize = paging.PageSize(parseResult),
                    PageToken = pageToken,
                };
                var page = await connection.Snapshots.ListSnapshotsAsync(request, connection.Unary(ct));
                return (page.Snapshots, page.NextPageToken);
            });
            SnapshotView.WriteTable(snapshots);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Watch()
    {
        var id = SnapshotId();
        var command = new Command("watch", "Follow a snapshot with a progress bar until it completes or fails; exit 1 if it failed.") { id };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult,
            connection => SnapshotWatch.FollowAsync(connection, parseResult.GetRequiredValue(id), ct)));
        return command;
    }

    private static Command Delete()
    {
        var id = SnapshotId();
        var command = new Command("delete", "Delete a completed or failed snapshot and its file (room admins only).") { id };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new DeleteSnapshotRequest { SnapshotId = parseResult.GetRequiredValue(id) };
            await connection.Snapshots.DeleteSnapshotAsync(request, connection.Unary(ct));
            Console.WriteLine($"Deleted snapshot {request.SnapshotId}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Hold(bool hold)
    {
        var id = SnapshotId();
        var reason = new Option<string>("--reason")
        {
            Description = hold ? "Why it is held (required); shown with the hold and in the audit log." : "Why it is released, for the audit log.",
            Required = hold,
            DefaultValueFactory = _ => "",
        };
        var command = hold
            ? new Command("hold", "Place a snapshot under legal hold: nothing deletes it until released (room admins only).") { id, reason }
            : new Command("release", "Release a snapshot's legal hold (room admins only).") { id, reason };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new SetLegalHoldRequest { SnapshotId = parseResult.GetRequiredValue(id), Hold = hold, Reason = parseResult.GetValue(reason) ?? "" };
            SnapshotView.WriteDetails((await connection.Snapshots.SetLegalHoldAsync(request, connection.Unary(ct))).Snapshot);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Argument<string> SnapshotId() => new("snapshot-id") { Description = "Snapshot UUID." };
}
