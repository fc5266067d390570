using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Sts.Api.V1;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Rpc;

/// <summary>
/// Reads the request message of this service's own RPCs before grpc-dotnet does. grpc-dotnet deserializes ahead of
/// every interceptor, so bytes that are not a valid message (truncated, a bad varint or length, invalid UTF-8 in a
/// string) would come back UNKNOWN "Exception was thrown by handler." with no audit record. Here such a request gets
/// INVALID_ARGUMENT (UNAUTHENTICATED first, when the caller has no valid token, as in <see cref="RpcPipeline"/>) and
/// one audit record, like any other refused call. A readable request is handed on byte for byte.
/// </summary>
/// <remarks>
/// Every method of this service takes exactly one request message, so the body is read to its end here; it is
/// at most Grpc:MaxMessageBytes, the size grpc-dotnet would buffer anyway. Parsing it twice costs microseconds
/// for the usual request and a few milliseconds for a room of several MB.
/// </remarks>
public sealed class RequestMessageCheck(RequestDelegate next, IOptions<GrpcServiceOptions> grpc, ApiMetrics metrics, ILogger<RequestMessageCheck> logger)
{
    private const int HeaderBytes = 5;

    /// <summary>"/sts.snapshot.v1.SnapshotService/CreateSnapshot" -> the request type's descriptor.</summary>
    private static readonly Dictionary<string, MessageDescriptor> RequestTypes = new[]
        {
            RoomServiceReflection.Descriptor, SnapshotServiceReflection.Descriptor,
            AuditServiceReflection.Descriptor, AdminServiceReflection.Descriptor, ScheduleServiceReflection.Descriptor,
        }
        .SelectMany(file => file.Services)
        .SelectMany(service => service.Methods)
        .Where(method => !method.IsClientStreaming)
        .ToDictionary(method => $"/{method.Service.FullName}/{method.Name}", method => method.InputType, StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext http)
    {
        var method = http.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is null || !RequestTypes.TryGetValue(method.FullName, out var requestType))
        {
            await next(http);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var (body, refusal) = await ReadAsync(http, requestType);
        if (refusal is null)
        {
            http.Request.Body = new MemoryStream(body!, writable: false);
            await next(http);
            return;
        }
        await RefuseAsync(http, method.FullName, refusal.Value, started);
    }

    /// <summary>The whole body when it holds one readable message; otherwise why not.</summary>
    private async Task<(byte[]? Body, Status? Refusal)> ReadAsync(HttpContext http, MessageDescriptor requestType)
    {
        var stream = http.Request.Body;
        var ct = http.RequestAborted;
        var header = new byte[HeaderBytes];
        var got = await stream.ReadAtLeastAsync(header, HeaderBytes, throwOnEndOfStream: false, ct);
        if (got == 0) return Invalid("The request carries no message.");
        if (got < HeaderBytes) return Invalid($"The request ends inside the {HeaderBytes}-byte message header (truncated).");

        var flag = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        var max = grpc.Value.MaxReceiveMessageSize ?? int.MaxValue;
        if (flag > 1) return Invalid($"The message header has compression flag {flag}; only 0 and 1 exist.");
        if (length > max)
            return (null, new Status(StatusCode.ResourceExhausted, $"The request message of {length:N0} bytes exceeds the limit of {max:N0} bytes (Grpc:MaxMessageBytes)."));

        var body = new byte[HeaderBytes + length];
        header.CopyTo(body, 0);
        got = await stream.ReadAtLeastAsync(body.AsMemory(HeaderBytes), (int)length, throwOnEndOfStream: false, ct);
        if (got < length) return Invalid($"The request ends after {got:N0} of the {length:N0} bytes its header announces (truncated).");
        if (await stream.ReadAsync(header.AsMemory(0, 1), ct) > 0) return Invalid("The request carries more than one message; this method takes one.");

        ReadOnlyMemory<byte> payload = body.AsMemory(HeaderBytes);
        if (flag == 1)
        {
            var (decompressed, problem) = await DecompressAsync(http, body, max);
            if (problem is not null) return (null, problem);
            payload = decompressed;
        }
        try
        {
            requestType.Parser.ParseFrom(payload.Span);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or DecoderFallbackException)
        {
            return Invalid($"The request is not a valid {requestType.Name}: {ex.Message}");
        }
        return (body, null);
    }

    /// <summary>The message of a framed <paramref name="body"/> whose payload is compressed, decompressed.</summary>
    private async Task<(ReadOnlyMemory<byte> Payload, Status? Problem)> DecompressAsync(HttpContext http, byte[] body, int max)
    {
        var encoding = http.Request.Headers["grpc-encoding"].ToString();
        if (encoding.Length == 0 || encoding == "identity")
            return (default, new Status(StatusCode.InvalidArgument, "The message is flagged as compressed but the request names no grpc-encoding."));
        var provider = grpc.Value.CompressionProviders.FirstOrDefault(p => string.Equals(p.EncodingName, encoding, StringComparison.Ordinal));
        if (provider is null)
        {
            var supported = string.Join(", ", grpc.Value.CompressionProviders.Select(p => p.EncodingName));
            return (default, new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'; supported: identity, {supported}."));
        }
        try
        {
            using var compressed = new MemoryStream(body, HeaderBytes, body.Length - HeaderBytes, writable: false);
            await using var decompressing = provider.CreateDecompressionStream(compressed);
            using var plain = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await decompressing.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                if (plain.Length + read > max)
                    return (default, new Status(StatusCode.ResourceExhausted, $"The request message decompresses to more than the limit of {max:N0} bytes (Grpc:MaxMessageBytes)."));
                plain.Write(buffer, 0, read);
            }
            return (plain.ToArray(), null);
        }
        catch (InvalidDataException ex)
        {
            return (default, new Status(StatusCode.InvalidArgument, $"The request message is not valid {encoding} data: {ex.Message}"));
        }
    }

    private static (byte[]?, Status?) Invalid(string reason) => (null, new Status(StatusCode.InvalidArgument, reason));

    /// <summary>A trailers-only gRPC response with the refusal, its audit record and its metric.</summary>
    private async Task RefuseAsync(HttpContext http, string fullMethod, Status refusal, long started)
    {
        // The same record the pipeline writes: the request's RpcCall, with who is calling settled before what was sent.
        var call = http.RequestServices.GetRequiredService<RpcCall>();
        call.Action = RpcPipeline.ActionName(fullMethod);
        try
        {
            call.Caller = RpcPipeline.Authenticate(http);
        }
        catch (RpcException unauthenticated)
        {
            refusal = unauthenticated.Status;
        }
        call.Audit["reason"] = refusal.Detail;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await call.WriteOutcomeAsync(refusal.StatusCode, timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not write the audit record for {Action} by {Actor} ({Outcome})", call.Action, call.Actor, refusal.StatusCode);
        }
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("{Action} by {Actor} refused before deserialization: {Code} {Reason}", call.Action, call.Actor, refusal.StatusCode, refusal.Detail);

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)refusal.StatusCode).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(refusal.Detail);
        await response.CompleteAsync();

        var (service, method) = RpcPipeline.SplitMethod(fullMethod);
        metrics.RpcServed(service, method, (int)refusal.StatusCode, Stopwatch.GetElapsedTime(started));
    }
}
