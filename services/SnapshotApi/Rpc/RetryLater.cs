using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Sts.SnapshotApi.Rpc;

/// <summary>RESOURCE_EXHAUSTED with a google.rpc.RetryInfo saying when to come back.</summary>
public static class RetryLater
{
    public static RpcException Exhausted(string message, TimeSpan retryAfter) => new Google.Rpc.Status
    {
        Code = (int)Code.ResourceExhausted,
        Message = message,
        Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }) },
    }.ToRpcException();
}
