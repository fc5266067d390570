using System.ComponentModel.DataAnnotations;
using Sts.Shared.Rooms;

namespace Sts.SnapshotApi.Rpc;

/// <summary>Settings of the gRPC server (section "Grpc").</summary>
public sealed class GrpcOptions
{
    public const string Section = "Grpc";

    /// <summary>The room travels whole in UpsertRoom and GetRoom, so a message must hold the largest room the API accepts, with room to spare.</summary>
    public const int MinMessageBytes = RoomLimits.Bytes + 64 * 1024;

    [Range(MinMessageBytes, int.MaxValue, ErrorMessage = "Grpc:MaxMessageBytes must be at least {1} so that a room of the largest size accepted fits in one message.")]
    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;
}
