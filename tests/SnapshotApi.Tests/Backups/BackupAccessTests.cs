using Grpc.Core;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Backups;

/// <summary>
/// The backup RPCs are for platform admins only, and a well-formed id of no backup is NOT_FOUND, before anything is
/// locked or touched. (What backups do is tested end to end in EndToEnd.Tests/Backups.)
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BackupAccessTests(ApiFixture api)
{
    private const string NoSuchBackup = "20200101T000000Z-0badcafe";

    public static TheoryData<string> Callers => new() { "outsider@example.com", "owner-of-nothing@example.com" };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Everyone_but_a_platform_admin_is_refused_every_backup_rpc(string email)
    {
        var caller = api.As(email).Operations;
        var calls = new Func<Task>[]
        {
            () => caller.CreateBackupAsync(new CreateBackupRequest()).ResponseAsync,
            () => caller.VerifyBackupAsync(new VerifyBackupRequest { BackupId = NoSuchBackup }).ResponseAsync,
            () => caller.ListBackupsAsync(new ListBackupsRequest()).ResponseAsync,
            () => caller.RestoreBackupAsync(new RestoreBackupRequest { BackupId = NoSuchBackup }).ResponseAsync,
            () => caller.GetBackupStatusAsync(new GetBackupStatusRequest()).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        }
    }

    [Fact]
    public async Task A_backup_id_that_names_no_backup_is_not_found_for_verify_and_restore()
    {
        var verify = await Assert.ThrowsAsync<RpcException>(() =>
            api.Admin.Operations.VerifyBackupAsync(new VerifyBackupRequest { BackupId = NoSuchBackup }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, verify.StatusCode);
        Assert.Contains(NoSuchBackup, verify.Status.Detail);

        var restore = await Assert.ThrowsAsync<RpcException>(() =>
            api.Admin.Operations.RestoreBackupAsync(new RestoreBackupRequest { BackupId = NoSuchBackup }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, restore.StatusCode);
        Assert.Contains(NoSuchBackup, restore.Status.Detail);
    }
}
