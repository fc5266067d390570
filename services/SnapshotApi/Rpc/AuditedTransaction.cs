using Grpc.Core;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Rpc;

/// <summary>A call's change and its audit record in one transaction: the record commits with the mutation or not at all.</summary>
public static class AuditedTransaction
{
    /// <summary>
    /// Runs <paramref name="change"/>, adds the call's audit record as OK, saves what the context tracks and
    /// commits. When the change throws, both roll back and <see cref="RpcPipeline"/> audits the failure as usual.
    /// </summary>
    public static async Task InAuditedTransactionAsync(this StsDbContext db, AuditLog auditLog, RpcCall call, Func<Task> change, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await change();
        auditLog.Add(db, call.ToAuditEntry(StatusCode.OK));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        call.AuditWritten = true;
    }
}
