using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Rpc;

namespace Sts.SnapshotApi.Tests.Rpc;

/// <summary>Which failures become UNAVAILABLE (retry) rather than INTERNAL (a bug).</summary>
public sealed class TransientFaultTests
{
    public static TheoryData<string, Exception, bool> Cases() => new()
    {
        { "connection lost mid-command", new NpgsqlException("Exception while reading from stream", new IOException("reset")), true },
        { "server shutting down (57P01)", Server("57P01"), true },
        { "cannot connect now (57P03)", Server("57P03"), true },
        { "connection failure (08006)", Server("08006"), true },
        { "too many connections (53300)", Server("53300"), true },
        { "deadlock (40P01)", Server("40P01"), true },
        { "wrapped by EF", new InvalidOperationException("transient", Server("57P01")), true },
        { "wrapped twice", new DbUpdateException("save", new InvalidOperationException("x", new SocketException())), true },
        { "timeout", new TimeoutException(), true },
        { "unique violation (23505)", Server("23505"), false },
        { "invalid byte sequence (22021)", Server("22021"), false },
        { "a plain bug", new InvalidOperationException("bug"), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Failure_is_classified(string what, Exception failure, bool transient) =>
        Assert.True(TransientFaults.IsTransient(failure) == transient, what);

    private static PostgresException Server(string sqlState) => new("message", "ERROR", "ERROR", sqlState);
}

/// <summary>A replica short of memory answers RESOURCE_EXHAUSTED with RetryInfo, never INTERNAL.</summary>
public sealed class MemoryShortageTests
{
#pragma warning disable CA2201 // the runtime's own exception is what the pipeline must recognise
    public static TheoryData<string, Exception, bool> Cases() => new()
    {
        { "out of memory", new OutOfMemoryException(), true },
        { "insufficient memory", new InsufficientMemoryException(), true },
        { "wrapped by a serializer", new InvalidOperationException("Failed to serialize message", new OutOfMemoryException()), true },
        { "a plain bug", new InvalidOperationException("bug"), false },
        { "a transient fault", new TimeoutException(), false },
    };
#pragma warning restore CA2201

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lack_of_memory_is_resource_exhausted_with_a_retry_delay(string what, Exception failure, bool shortage)
    {
        var answer = RpcPipeline.ForMemoryShortage(failure);
        Assert.True(answer is not null == shortage, what);
        if (answer is null) return;
        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, answer.StatusCode);
        var retry = Grpc.Core.RpcExceptionExtensions.GetRpcStatus(answer)?.GetDetail<Google.Rpc.RetryInfo>();
        Assert.NotNull(retry);
        Assert.True(retry.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
    }
}
