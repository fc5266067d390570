using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Sts.Api.V1;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Audit;

/// <summary>Reads and verifies the audit log.</summary>
public sealed class AuditGrpcService(StsDbContext db, RoomAccess access, RpcCall call, AuditLog auditLog) : AuditService.AuditServiceBase
{
    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var violations = new FieldValidator();
        if (request.RoomId.Length > 0) violations.Id("room_id", request.RoomId);
        var pageSize = PageToken.PageSize(request.PageSize, violations);
        var filters = $"room={request.RoomId}";
        var token = PageToken.Decode(request.PageToken, filters, violations);
        violations.ThrowIfAny();

        if (request.RoomId.Length > 0)
            await access.DemandAsync(db, request.RoomId, RoomAction.Audit, context.CancellationToken);
        else
            access.DemandPlatformAdmin();

        var query = db.AuditLog.AsNoTracking();
        if (request.RoomId.Length > 0) query = query.Where(a => a.RoomId == request.RoomId);
        // Newest first by insertion order: records not yet sealed into the chain are listed too, with sequence 0.
        if (token is { } after) query = query.Where(a => a.Id < after.Position);
        var rows = await query.OrderByDescending(a => a.Id).Take(pageSize + 1).ToListAsync(context.CancellationToken);

        var response = new ListAuditEventsResponse();
        response.Events.AddRange(rows.Take(pageSize).Select(ToProto));
        if (rows.Count > pageSize)
            response.NextPageToken = new PageToken(rows[pageSize - 1].Id, Guid.Empty).Encode(filters);
        return response;
    }

    public override async Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context)
    {
        access.DemandPlatformAdmin();
        var result = await auditLog.VerifyAsync(context.CancellationToken);
        call.Audit["valid"] = result.Valid ? "true" : "false";
        return new VerifyAuditChainResponse
        {
            Valid = result.Valid,
            Checked = result.Checked,
            FirstBadSequence = result.FirstBadSequence,
            Reason = result.Reason,
            Unsealed = result.Unsealed,
            AnchoredSequence = result.AnchoredSequence,
        };
    }

    internal static AuditEvent ToProto(AuditRow row)
    {
        var e = new AuditEvent
        {
            Sequence = row.Sequence ?? 0,
            Time = Timestamp.FromDateTimeOffset(row.At),
            Actor = row.Actor,
            Action = row.Action,
            RoomId = row.RoomId ?? "",
            SnapshotId = row.SnapshotId?.ToString("D") ?? "",
            Outcome = row.Outcome,
            PreviousHash = row.PreviousHash ?? "",
            Hash = row.Hash ?? "",
        };
        e.Metadata.Add(JsonSerializer.Deserialize<Dictionary<string, string>>(row.Metadata) ?? []);
        return e;
    }
}
