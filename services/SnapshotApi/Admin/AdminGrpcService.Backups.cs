using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Backups;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Admin;

/// <summary>Backups of the service (Backups/): validate, authorise, call, map the engine's outcomes to statuses.</summary>
public sealed partial class AdminGrpcService
{
    public override async Task<CreateBackupResponse> CreateBackup(CreateBackupRequest request, ServerCallContext context)
    {
        access.DemandPlatformAdmin();
        var created = await MapAsync(() => backups.CreateAsync("manual"));
        call.Audit["backup_id"] = created.Backup.Manifest.Id;
        if (created.Deleted.Count > 0) call.Audit["retention_deleted"] = string.Join(",", created.Deleted);
        return new CreateBackupResponse { Backup = ToProto(created.Backup), DeletedBackupIds = { created.Deleted } };
    }

    public override async Task<VerifyBackupResponse> VerifyBackup(VerifyBackupRequest request, ServerCallContext context)
    {
        ValidateId(request.BackupId, required: false);
        access.DemandPlatformAdmin();
        var verified = await MapAsync(() => backups.VerifyAsync(request.BackupId));
        call.Audit["backup_id"] = verified.Manifest.Id;
        call.Audit["ok"] = verified.Verified ? "true" : "false";
        return new VerifyBackupResponse { Backup = ToProto(verified) };
    }

    public override async Task<ListBackupsResponse> ListBackups(ListBackupsRequest request, ServerCallContext context)
    {
        access.DemandPlatformAdmin();
        var response = new ListBackupsResponse();
        response.Backups.AddRange((await backups.ListAsync(context.CancellationToken)).Select(ToProto));
        return response;
    }

    public override async Task<RestoreBackupResponse> RestoreBackup(RestoreBackupRequest request, ServerCallContext context)
    {
        ValidateId(request.BackupId, required: true);
        access.DemandPlatformAdmin();
        call.Audit["backup_id"] = request.BackupId;
        var result = await MapAsync(() => backups.RestoreAsync(request.BackupId));
        call.Audit["rollback_backup_id"] = result.RollbackId ?? "";
        return new RestoreBackupResponse
        {
            Restored = ToProto(new BackupEntry(result.Restored, null)),
            RollbackBackupId = result.RollbackId ?? "",
            AuditRecordsChecked = result.AuditRecordsChecked,
            FilesRestored = result.FilesRestored,
        };
    }

    public override async Task<GetBackupStatusResponse> GetBackupStatus(GetBackupStatusRequest request, ServerCallContext context)
    {
        access.DemandPlatformAdmin();
        var status = await backups.StatusAsync(context.CancellationToken);
        var settings = backups.Settings;
        var response = new GetBackupStatusResponse
        {
            BackupCount = status.Backups.Count,
            IntervalSeconds = (long)settings.Interval.TotalSeconds,
            ScheduleEnabled = settings.ScheduleEnabled,
            KeepLast = settings.KeepLast,
            ClientVersion = status.ClientVersion,
            ServerVersion = status.ServerVersion,
            Running = status.Running ?? "",
        };
        response.Faults.AddRange(status.Faults);
        if (status.Backups.Count > 0) response.Newest = ToProto(status.Backups[0]);
        if (status.Backups.FirstOrDefault(b => b.Verified) is { } verified) response.NewestVerified = ToProto(verified);
        return response;
    }

    private static void ValidateId(string id, bool required)
    {
        var v = new FieldValidator();
        if (id.Length == 0 ? required : !StorageKey.IsBackupId(id))
            v.Add("backup_id", required && id.Length == 0 ? "is required" : "must be a backup id such as 20261130T120000Z-1a2b3c4d (sts admin backup list shows them)");
        v.ThrowIfAny();
    }

    /// <summary>The engine's outcomes as statuses: it never throws gRPC statuses itself.</summary>
    private static async Task<T> MapAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (BackupBusyException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
        catch (BackupRefusedException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
        catch (BackupNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (BackupFailedException ex)
        {
            // ABORTED: the operation ran and failed; for a restore the message names the rollback backup.
            throw new RpcException(new Status(StatusCode.Aborted, ex.Message));
        }
    }

    private static Api.V1.Backup ToProto(BackupEntry entry)
    {
        var m = entry.Manifest;
        var backup = new Api.V1.Backup
        {
            Id = m.Id,
            CreatedAt = Timestamp.FromDateTimeOffset(m.CreatedAt),
            Reason = m.Reason,
            DumpSizeBytes = m.Dump.SizeBytes,
            DumpSha256 = m.Dump.Sha256,
            FileCount = m.Files.Count,
            FilesSizeBytes = m.Files.Where(f => !f.Gzipped).Sum(f => f.SizeBytes),
            DurationSeconds = m.DurationSeconds,
            ServerVersion = m.ServerVersion,
            SchemaVersion = m.SchemaVersion,
            AuditHeadSequence = m.AuditHead?.Sequence ?? 0,
            Verification = new BackupVerification { Verified = entry.Check is not null },
        };
        if (entry.Check is { } check)
        {
            backup.Verification.Ok = check.Ok;
            backup.Verification.At = Timestamp.FromDateTimeOffset(check.At);
            backup.Verification.FilesChecked = check.FilesChecked;
            backup.Verification.Faults.AddRange(check.Faults);
        }
        return backup;
    }
}
