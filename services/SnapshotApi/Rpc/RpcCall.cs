using Grpc.Core;
using Sts.Shared.Text;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Auth;

namespace Sts.SnapshotApi.Rpc;

/// <summary>The RPC being served: who calls, and what its audit record will say. One per request.</summary>
public sealed class RpcCall
{
    private Caller? _caller;

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

    /// <summary>Set when a handler wrote the audit record inside its own transaction.</summary>
    public bool AuditWritten { get; set; }

    public AuditEntry ToAuditEntry(StatusCode code) =>
        new(Actor, Action, RoomId, SnapshotId, code == StatusCode.OK ? "ok" : SnakeCase.From(code.ToString()), Audit);
}
