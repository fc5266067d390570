using Sts.Api.V1;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>One validation method per snapshot request.</summary>
public static class SnapshotValidator
{
    /// <summary>The longest watermark, in characters: it must fit across a page in a readable size.</summary>
    public const int MaxWatermark = 40;

    /// <summary>The request as a <see cref="NewSnapshot"/> by <paramref name="createdBy"/>.</summary>
    public static NewSnapshot Validate(CreateSnapshotRequest r, string createdBy)
    {
        var v = new FieldValidator();
        v.Id("room_id", r.RoomId);
        v.Text("title", r.Title, 1, 200);
        v.Enum("type", r.Type);
        v.Uuid("request_id", r.RequestId, required: false);
        v.Enum("priority", r.Priority, required: false);
        Options(v, "options", r.Type, r.Options);
        if (r.Options is { } o)
        {
            v.Uuid("options.compare_to_snapshot_id", o.CompareToSnapshotId, required: false);
            if (o.CompareToSnapshotId.Length > 0 && r.Type != SnapshotType.Pdf)
                v.Add("options.compare_to_snapshot_id", "is for PDF snapshots, which open with the changes; DiffSnapshots gives them to machines");
        }
        v.ThrowIfAny();
        var requestId = r.RequestId.Length > 0 ? Guid.ParseExact(r.RequestId, "D").ToString("D") : null;
        return new NewSnapshot(r.RoomId, r.Title, r.Type, SnapshotMapping.Effective(r.Options), createdBy, requestId, r.Priority == SnapshotPriority.Scheduled);
    }

    /// <summary>What a snapshot of <paramref name="type"/> may include; <paramref name="field"/> is the options' path in the request.</summary>
    public static void Options(FieldValidator v, string field, SnapshotType type, SnapshotOptions? options)
    {
        if (options is not { } o) return;
        if (o.ActivityLimit is < 0 or > RoomValidator.MaxActivities)
            v.Add($"{field}.activity_limit", $"must be 0 (all) to {RoomValidator.MaxActivities}");
        else if (o.ActivityLimit > 0 && !o.IncludeActivity)
            v.Add($"{field}.activity_limit", "needs include_activity");
        if (type == SnapshotType.Csv && !o.IncludeDocuments)
            v.Add($"{field}.include_documents", "must be true for CSV, which lists documents");
        v.Text($"{field}.watermark", o.Watermark, 0, MaxWatermark);
    }

    public static Guid Validate(GetSnapshotRequest r) => SnapshotId(r.SnapshotId);

    /// <summary>The snapshot, whether to hold it, and the reason (required to place a hold).</summary>
    public static (Guid Id, bool Hold, string Reason) Validate(SetLegalHoldRequest r)
    {
        var v = new FieldValidator();
        v.Uuid("snapshot_id", r.SnapshotId);
        v.Text("reason", r.Reason, r.Hold ? 1 : 0, 500);
        v.ThrowIfAny();
        return (Guid.ParseExact(r.SnapshotId, "D"), r.Hold, r.Reason);
    }

    public static Guid Validate(DeleteSnapshotRequest r) => SnapshotId(r.SnapshotId);

    public static Guid Validate(WatchSnapshotRequest r) => SnapshotId(r.SnapshotId);

    public static Guid Validate(DownloadSnapshotRequest r) => SnapshotId(r.SnapshotId);

    public static Guid Validate(GetTaskRequest r) => RequiredUuid("task_id", r.TaskId);

    /// <summary>Returns the page size and the decoded token (null on the first page).</summary>
    public static (int PageSize, PageToken? Token, string Filters) Validate(ListSnapshotsRequest r)
    {
        var v = new FieldValidator();
        v.Id("room_id", r.RoomId);
        v.Enum("status", r.Status, required: false);
        v.Enum("type", r.Type, required: false);
        v.Email("created_by", r.CreatedBy, required: false);
        var pageSize = PageToken.PageSize(r.PageSize, v);
        var filters = $"room={r.RoomId};status={(int)r.Status};type={(int)r.Type};by={r.CreatedBy.ToLowerInvariant()}";
        var token = PageToken.Decode(r.PageToken, filters, v);
        v.ThrowIfAny();
        return (pageSize, token, filters);
    }

    /// <summary>The SHA-256 in lower case.</summary>
    public static string Validate(VerifyFileRequest r)
    {
        var v = new FieldValidator();
        if (r.Sha256.Length == 0) v.Add("sha256", "is required");
        else if (r.Sha256.Length != 64 || !r.Sha256.All(char.IsAsciiHexDigit)) v.Add("sha256", "must be a SHA-256 as 64 hex digits");
        v.ThrowIfAny();
        return r.Sha256.ToLowerInvariant();
    }

    /// <summary>The two snapshots, the page size, and the offset to start from (0 on the first page).</summary>
    public static (Guid Base, Guid Target, int PageSize, int Offset, string Filters) Validate(DiffSnapshotsRequest r)
    {
        var v = new FieldValidator();
        v.Uuid("base_snapshot_id", r.BaseSnapshotId);
        v.Uuid("target_snapshot_id", r.TargetSnapshotId);
        var pageSize = PageToken.PageSize(r.PageSize, v);
        var filters = $"diff;base={r.BaseSnapshotId.ToLowerInvariant()};target={r.TargetSnapshotId.ToLowerInvariant()}";
        var token = PageToken.Decode(r.PageToken, filters, v);
        // A diff has at most a few hundred thousand changes; an offset past int.MaxValue was not made here.
        if (token is { Position: > int.MaxValue }) v.Add("page_token", "is not a token this service issued");
        v.ThrowIfAny();
        return (Guid.ParseExact(r.BaseSnapshotId, "D"), Guid.ParseExact(r.TargetSnapshotId, "D"), pageSize, (int)(token?.Position ?? 0), filters);
    }

    private static Guid SnapshotId(string value) => RequiredUuid("snapshot_id", value);

    private static Guid RequiredUuid(string field, string value)
    {
        var v = new FieldValidator();
        v.Uuid(field, value);
        v.ThrowIfAny();
        return Guid.ParseExact(value, "D");
    }
}
