using Grpc.Core;
using Npgsql;
using Sts.Api.V1;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Backups;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Admin;

/// <summary>Operational summaries for platform admins.</summary>
public sealed partial class AdminGrpcService(
    NpgsqlDataSource dataSource, RoomAccess access, StorageVerifier verifier, BackupOperations backups, RpcCall call, TimeProvider clock)
    : AdminService.AdminServiceBase
{
    private const int DefaultHours = 24;
    private const int MaxHours = 720;

    public override async Task<GetMetricsSummaryResponse> GetMetricsSummary(GetMetricsSummaryRequest request, ServerCallContext context)
    {
        var v = new FieldValidator();
        if (request.Hours is < 0 or > MaxHours) v.Add("hours", $"must be 0 (meaning {DefaultHours}) to {MaxHours}");
        v.ThrowIfAny();
        access.DemandPlatformAdmin();

        var hours = request.Hours == 0 ? DefaultHours : request.Hours;
        return await MetricsSummary.ReadAsync(dataSource, hours, clock.GetUtcNow(), context.CancellationToken);
    }

    public override Task<VerifyStorageResponse> VerifyStorage(VerifyStorageRequest request, ServerCallContext context)
    {
        access.DemandPlatformAdmin();
        return verifier.VerifyAsync(context.CancellationToken);
    }
}
