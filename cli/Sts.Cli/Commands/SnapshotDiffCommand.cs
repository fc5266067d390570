using System.CommandLine;
using Google.Protobuf;
using Sts.Api.V1;
using Sts.Cli.Display;
using static Sts.Cli.Display.ValueText;

namespace Sts.Cli.Commands;

/// <summary>sts snapshots diff BASE TARGET: what changed in the room from one snapshot's frozen state to another's.</summary>
public static class SnapshotDiffCommand
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithIndentation());

    public static Command Create()
    {
        var from = new Argument<string>("base-snapshot-id") { Description = "Snapshot UUID to compare from." };
        var to = new Argument<string>("target-snapshot-id") { Description = "Snapshot UUID to compare to (same room)." };
        var format = new Option<string>("--format")
        {
            Description = "table (default), or json: the service's answer as protobuf JSON, with every change fetched.",
            HelpName = "table|json",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("diff", "Show what changed in a room between two snapshots: room version, parties, vessels, documents field by field, approvals, activity.")
        {
            from, to, format,
        };
        var paging = new PagingOptions(command);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var json = parseResult.GetValue(format) == "json";
            DiffSnapshotsResponse? first = null;
            // JSON is for machines: always the whole diff, so that the document stands alone.
            var changes = await paging.ReadAsync<RoomChange>(parseResult, async pageToken =>
            {
                var request = new DiffSnapshotsRequest
                {
                    BaseSnapshotId = parseResult.GetRequiredValue(from),
                    TargetSnapshotId = parseResult.GetRequiredValue(to),
                    PageSize = paging.PageSize(parseResult),
                    PageToken = pageToken,
                };
                var page = await connection.Snapshots.DiffSnapshotsAsync(request, connection.Unary(ct));
                first ??= page;
                return (page.Changes, page.NextPageToken);
            }, all: json);

            var whole = first!.Clone();
            whole.Changes.Clear();
            whole.Changes.AddRange(changes);
            whole.NextPageToken = "";
            if (json)
                Console.WriteLine(Json.Format(whole));
            else
                WriteTable(whole);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteTable(DiffSnapshotsResponse diff)
    {
        Details.Write(
            ("room", diff.RoomId),
            ("base", $"{diff.Base.SnapshotId} ({Time(diff.Base.CreateTime)}, room version {diff.Base.RoomVersion})"),
            ("target", $"{diff.Target.SnapshotId} ({Time(diff.Target.CreateTime)}, room version {diff.Target.RoomVersion})"),
            ("changes", diff.TotalChanges == 0 ? "none: the room is the same in both" : Number(diff.TotalChanges)));
        if (diff.TotalChanges == 0) return;
        ListTable.Write(
            ["SECTION", "ADDED", "REMOVED", "CHANGED"],
            diff.Summary.Select(s => new[] { Word(s.Section), Number(s.Added), Number(s.Removed), Number(s.Changed) }));
        ListTable.Write(
            ["SECTION", "CHANGE", "ITEM", "FIELD", "BEFORE", "AFTER"],
            diff.Changes.SelectMany(Rows));
    }

    /// <summary>A row per field; the section, change and item only on an item's first row.</summary>
    private static IEnumerable<string[]> Rows(RoomChange change)
    {
        if (change.Fields.Count == 0)
            yield return [Word(change.Section), Word(change.Kind), change.Key, "", "", ""];
        for (var i = 0; i < change.Fields.Count; i++)
        {
            var f = change.Fields[i];
            yield return i == 0 ? [Word(change.Section), Word(change.Kind), change.Key, f.Field, f.Before, f.After] : ["", "", "", f.Field, f.Before, f.After];
        }
    }
}
