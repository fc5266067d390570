using Sts.Api.V1;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Snapshots;

/// <summary>One validation method per snapshot request.</summary>
public static class SnapshotValidator
{
    /// <summary>The request as a <see cref="NewSnapshot"/> by <paramref name="createdBy"/>.</summary>
    public static NewSnapshot Validate(CreateSnapshotRequest r, string createdBy)
    {
        var v = new Violations();
        v.Id("room_id", r.RoomId);
        v.Text("title", r.Title, 1, 200);
        v.Enum("type", r.Type);
        v.Uuid("request_id", r.RequestId, required: false);
        v.Enum("priority", r.Priority, required: false);
        Options(v, "options", r.Type, r.Options);
        v.ThrowIfAny();
        var requestId = r.RequestId.Length > 0 ? Guid.ParseExact(r.RequestId, "D").ToString("D") : null;
        return new NewSnapshot(r.RoomId, r.Title, r.Type, SnapshotMapping.Effective(r.Options), createdBy, requestId, r.Priority == SnapshotPriority.Scheduled);
    }

    /// <summary>What a snapshot of <paramref name="type"/> may include; <paramref name="field"/> is the options' path in the request.</summary>
    public static void Options(Violations v, string field, SnapshotType type, SnapshotOptions? options)
    {
        if (options is not { } o) return;
        if (o.ActivityLimit is < 0 or > RoomValidator.MaxActivities)
            v.Add($"{field}.activity_limit", $"must be 0 (all) to {RoomValidator.MaxActivities}");
        else if (o.ActivityLimit > 0 && !o.IncludeActivity)
            v.Add($"{field}.activity_limit", "needs include_activity");
        if (type == SnapshotType.Csv && !o.IncludeDocuments)
            v.Add($"{field}.include_documents", "must be true for CSV, which lists documents");
    }

    public static Guid Validate(GetSnapshotRequest r) => SnapshotId(r.SnapshotId);

    /// <summary>The snapshot, whether to hold it, and the reason (required to place a hold).</summary>
    public static (Guid Id, bool Hold, string Reason) Validate(SetLegalHoldRequest r)
    {
        var v = new Violations();
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
        var v = new Violations();
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

    private static Guid SnapshotId(string value) => RequiredUuid("snapshot_id", value);

    private static Guid RequiredUuid(string field, string value)
    {
        var v = new Violations();
        v.Uuid(field, value);
        v.ThrowIfAny();
        return Guid.ParseExact(value, "D");
    }
}
