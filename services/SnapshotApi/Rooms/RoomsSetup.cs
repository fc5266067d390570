namespace Sts.SnapshotApi.Rooms;

/// <summary>The rooms the API is told about. Nothing to register: rooms are stored through <see cref="RoomStore"/> in the caller's transaction.</summary>
public static class RoomsSetup
{
    public static WebApplication MapRooms(this WebApplication app)
    {
        app.MapGrpcService<RoomGrpcService>();
        return app;
    }
}
