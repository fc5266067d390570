using Grpc.Core;
using Sts.Shared.Text;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Rpc;

/// <summary>
/// The RPC being served: who calls, what its audit record will say, and the one place that writes that record, once:
/// inside the handler's transaction when the call changes something (the record commits with the change or not at
/// all), otherwise after the call with its outcome. One per request.
/// </summary>
public sealed class RpcCall(AuditLog auditLog)
{
    private Caller? _caller;
    private bool _audited;

    public Caller Caller
    {
        get => _caller ?? throw new InvalidOperationException("The caller is read before authentication.");
        set => _caller = value;
    }

    public string Actor => _caller?.Email ?? "anonymous";

    /// <summary>Short RPC name such as "SnapshotService.CreateSnapshot".</summary>
    public string Action { get; set; } = "";

    public string? RoomId { get; set; }

    public Guid? SnapshotId { get; set; }

    /// <summary>Detail for the audit record: reasons for denials, idempotent replays and so on.</summary>
    public SortedDictionary<string, string> Audit { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="change"/>, adds the call's audit record as OK, saves what the context tracks and commits.
    /// When the change throws, both roll back and the pipeline audits the failure as usual.
    /// </summary>
    public async Task InAuditedTransactionAsync(StsDbContext db, Func<Task> change, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await change();
        auditLog.Add(db, ToAuditEntry(StatusCode.OK));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _audited = true;
    }

    /// <summary>The OK record of a call that creates <paramref name="snapshotId"/>, for a creator that commits it with the snapshot; call <see cref="AuditCommitted"/> once it has.</summary>
    public AuditEntry OkRecordFor(Guid snapshotId)
    {
        SnapshotId = snapshotId;
        return ToAuditEntry(StatusCode.OK);
    }

    /// <summary>The record given by <see cref="OkRecordFor"/> committed: the pipeline writes nothing more.</summary>
    public void AuditCommitted() => _audited = true;

    /// <summary>Writes the call's record with its outcome, unless a transaction already committed it.</summary>
    public async Task WriteOutcomeAsync(StatusCode code, CancellationToken ct)
    {
        if (_audited) return;
        await auditLog.AppendAsync(ToAuditEntry(code), ct);
        _audited = true;
    }

    private AuditEntry ToAuditEntry(StatusCode code) =>
        new(Actor, Action, RoomId, SnapshotId, code == StatusCode.OK ? "ok" : SnakeCase.From(code.ToString()), Audit);
}
