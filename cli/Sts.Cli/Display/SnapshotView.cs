using Sts.Api.V1;
using static Sts.Cli.Display.ValueText;

namespace Sts.Cli.Display;

/// <summary>How a snapshot is shown: its details, its outcome after a watch, or a row of a list.</summary>
public static class SnapshotView
{
    public static bool IsFinished(Snapshot snapshot) => snapshot.Status is SnapshotStatus.Completed or SnapshotStatus.Failed;

    public static string Status(Snapshot snapshot) =>
        snapshot.Status == SnapshotStatus.Running ? $"{Word(snapshot.Status)} ({snapshot.Progress}%)" : Word(snapshot.Status);

    public static void WriteDetails(Snapshot snapshot) => Details.Write(
    [
        ("id", snapshot.Id),
        ("room", $"{snapshot.RoomId} (version {snapshot.RoomVersion})"),
        ("title", snapshot.Title),
        ("type", Word(snapshot.Type)),
        ("includes", Includes(snapshot.Options)),
        ("watermark", snapshot.Options?.Watermark ?? ""),
        ("compared with", snapshot.Options?.CompareToSnapshotId ?? ""),
        ("status", Status(snapshot)),
        ("content hash", snapshot.ContentHash),
        ("created by", snapshot.CreatedBy),
        ("created", Time(snapshot.CreateTime)),
        ("started", Time(snapshot.StartTime)),
        ("completed", Time(snapshot.CompleteTime)),
        ("task", snapshot.TaskId),
        ("request id", snapshot.RequestId),
        .. File(snapshot),
    ]);

    /// <summary>The final state after a watch.</summary>
    public static void WriteOutcome(Snapshot snapshot) => Details.Write(
        [("status", Status(snapshot)), .. File(snapshot), ("elapsed", Elapsed(snapshot))]);

    public static void WriteTable(IEnumerable<Snapshot> snapshots) => ListTable.Write(
        ["ID", "TITLE", "TYPE", "STATUS", "CREATED BY", "CREATED", "SIZE"],
        snapshots.Select(s => new[]
        {
            s.Id, s.Title, Word(s.Type), Status(s), s.CreatedBy, Time(s.CreateTime),
            s.Status == SnapshotStatus.Completed ? Bytes(s.SizeBytes) : "",
        }));

    private static (string, string)[] File(Snapshot snapshot) => snapshot.Status switch
    {
        SnapshotStatus.Completed => [("size", ExactBytes(snapshot.SizeBytes)), ("sha256", snapshot.Sha256), ("cached", YesNo(snapshot.Cached))],
        SnapshotStatus.Failed => [("error", snapshot.Error)],
        _ => [],
    };

    private static string Elapsed(Snapshot snapshot) =>
        snapshot.CreateTime is { } created && snapshot.CompleteTime is { } completed
            ? Duration.Format(completed.ToDateTimeOffset() - created.ToDateTimeOffset())
            : "";

    private static string Includes(SnapshotOptions? options)
    {
        if (options is null) return "everything";
        var parts = new List<string>();
        if (options.IncludeDocuments) parts.Add("documents");
        if (options.IncludeActivity) parts.Add(options.ActivityLimit > 0 ? $"activity (newest {Number(options.ActivityLimit)})" : "activity");
        if (options.IncludeApprovals) parts.Add("approvals");
        return parts.Count == 0 ? "room details only" : string.Join(", ", parts);
    }
}
