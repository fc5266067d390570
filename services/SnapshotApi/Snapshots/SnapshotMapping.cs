using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.Shared.Messaging;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>Maps snapshot rows to the API's messages and the bus contract.</summary>
public static class SnapshotMapping
{
    private static readonly JsonParser OptionsParser = new(JsonParser.Settings.Default);

    // Options are stored as JSON and read on every GetSnapshot, list and watch; the same few combinations recur, so
    // each is parsed once (a bounded cache; a clone goes out, so no caller can change the cached one).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SnapshotOptions> ParsedOptions = new(StringComparer.Ordinal);
    private const int MaxParsedOptions = 1024;

    /// <summary>Absent options mean "everything".</summary>
    public static SnapshotOptions Effective(SnapshotOptions? options) =>
        options ?? new SnapshotOptions { IncludeDocuments = true, IncludeActivity = true, IncludeApprovals = true };

    public static string ContentType(SnapshotType type) => type switch
    {
        SnapshotType.Pdf => "application/pdf",
        SnapshotType.Json => "application/json",
        _ => "text/csv",
    };

    public static string OptionsJson(SnapshotOptions options) => JsonFormatter.Default.Format(options);

    public static Snapshot ToProto(SnapshotRow row) => new()
    {
        Id = row.Id.ToString("D"),
        RoomId = row.RoomId,
        Title = row.Title,
        CreatedBy = row.CreatedBy,
        Status = row.Status,
        Type = row.SnapshotType,
        Options = ParseOptions(row.Options),
        ContentHash = row.ContentHash,
        TaskId = row.TaskId.ToString("D"),
        Progress = row.Progress,
        SizeBytes = row.SizeBytes ?? 0,
        Sha256 = row.Sha256 ?? "",
        Error = row.Error ?? "",
        CreateTime = Timestamp.FromDateTimeOffset(row.CreatedAt),
        StartTime = row.StartedAt is { } s ? Timestamp.FromDateTimeOffset(s) : null,
        CompleteTime = row.CompletedAt is { } c ? Timestamp.FromDateTimeOffset(c) : null,
        RequestId = row.RequestId ?? "",
        RoomVersion = row.RoomVersion,
        Cached = row.Cached,
    };

    private static SnapshotOptions ParseOptions(string json)
    {
        if (!ParsedOptions.TryGetValue(json, out var options))
        {
            options = OptionsParser.Parse<SnapshotOptions>(json);
            if (ParsedOptions.Count >= MaxParsedOptions) ParsedOptions.Clear();
            ParsedOptions[json] = options;
        }
        return options.Clone();
    }

    public static SnapshotTask ToProto(TaskRow task, SnapshotRow snapshot) => new()
    {
        Id = task.Id.ToString("D"),
        SnapshotId = task.SnapshotId.ToString("D"),
        Status = task.Status,
        Progress = task.Progress,
        Attempts = task.Attempts,
        CreateTime = Timestamp.FromDateTimeOffset(task.CreatedAt),
        StartTime = task.StartedAt is { } s ? Timestamp.FromDateTimeOffset(s) : null,
        UpdateTime = Timestamp.FromDateTimeOffset(task.UpdatedAt),
        CompleteTime = task.CompletedAt is { } c ? Timestamp.FromDateTimeOffset(c) : null,
        Error = task.Error ?? "",
        Result = task.Status == SnapshotTaskStatus.Completed
            ? new TaskResult { SizeBytes = snapshot.SizeBytes ?? 0, Sha256 = snapshot.Sha256 ?? "", Cached = snapshot.Cached, RenderMillis = task.RenderMillis }
            : null,
    };

    /// <summary>
    /// The render request for a snapshot; <paramref name="inlineState"/> is its frozen state unless that is claim-checked
    /// (<see cref="SnapshotRow.StateKey"/>), <paramref name="compareTo"/> the snapshot its PDF shows the changes since.
    /// </summary>
    public static GenerateSnapshot ToMessage(SnapshotRow row, SnapshotOptions options, string? inlineState, bool scheduled, ComparedSnapshot? compareTo = null) => new()
    {
        Scheduled = scheduled,
        SnapshotId = row.Id,
        TaskId = row.TaskId,
        RoomId = row.RoomId,
        Title = row.Title,
        CreatedBy = row.CreatedBy,
        CreatedAt = row.CreatedAt,
        Format = EnumText<SnapshotType>.ToText(row.SnapshotType),
        Options = new RenderOptions(options.IncludeDocuments, options.IncludeActivity, options.IncludeApprovals, options.ActivityLimit)
        {
            Watermark = options.Watermark.Length > 0 ? options.Watermark : null,
        },
        CompareTo = compareTo,
        RoomVersion = row.RoomVersion,
        ContentHash = row.ContentHash,
        RoomState = row.StateKey is null ? inlineState : null,
        RoomStateKey = row.StateKey,
        RoomStateBytes = row.StateBytes ?? (inlineState is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(inlineState)),
    };
}
