using Microsoft.Extensions.Options;
using Sts.Api.V1;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>What the authentication and TLS tests ask of the fixture again and again: a room to call on, the newest audit record, a start-up that must fail.</summary>
public static class AccessProbes
{
    /// <summary>A new room with one party per role, written by the platform principal; its id.</summary>
    public static async Task<string> NewRoomAsync(this ApiFixture api)
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        return room.Id;
    }

    /// <summary>"actor action outcome" of the newest audit record.</summary>
    public static Task<string?> LastAuditAsync(this ApiFixture api) =>
        api.ScalarAsync<string>("select actor || ' ' || action || ' ' || outcome from audit_log order by id desc limit 1");

    /// <summary>Starts a replica with <paramref name="settings"/> that must refuse to start; the validation message.</summary>
    public static async Task<string> StartupFailureAsync(this ApiFixture api, IDictionary<string, string?> settings)
    {
        await using var host = api.CreateApi(settings);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        return ex.Message;
    }
}
