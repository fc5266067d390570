using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Rpc;

/// <summary>
/// Wraps every call to this service's own API: authenticates the caller, turns failures into
/// proper gRPC statuses and writes exactly one audit record per call, allowed or denied.
/// Health and reflection pass through untouched.
/// </summary>
public sealed class RpcPipeline(RpcCall call, CallerRateLimiter rateLimiter, ApiMetrics metrics, ILogger<RpcPipeline> logger) : Interceptor
{
    private const string OwnServicesPrefix = "/sts.";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        context.Method.StartsWith(OwnServicesPrefix, StringComparison.Ordinal)
            ? RunAsync(context, () => continuation(request, context))
            : continuation(request, context);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!context.Method.StartsWith(OwnServicesPrefix, StringComparison.Ordinal))
        {
            await continuation(request, responseStream, context);
            return;
        }
        await RunAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });
    }

    private async Task<T> RunAsync<T>(ServerCallContext context, Func<Task<T>> handler)
    {
        call.Action = ActionName(context.Method);
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            T result;
            try
            {
                call.Caller = Authenticate(context.GetHttpContext());
                if (!rateLimiter.TryAcquire(call.Caller.Email))
                {
                    call.Audit["reason"] = "rate limited";
                    throw RetryLater.Exhausted("Too many calls from this caller; slow down.", TimeSpan.FromSeconds(1));
                }
                result = await handler();
            }
            catch (Exception ex)
            {
                var failure = Translate(ex, context);
                code = failure.StatusCode;
                await AuditAsync(failure.StatusCode, swallowErrors: true);
                if (ReferenceEquals(failure, ex)) throw;
                throw failure;
            }
            try
            {
                await AuditAsync(StatusCode.OK, swallowErrors: false);
            }
            catch (RpcException unavailable)
            {
                code = unavailable.StatusCode;
                throw;
            }
            return result;
        }
        finally
        {
            var (service, method) = SplitMethod(context.Method);
            metrics.RpcServed(service, method, (int)code, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The caller behind the bearer token, or UNAUTHENTICATED with the reason (UNAVAILABLE while the issuer's keys are).</summary>
    internal static Caller Authenticate(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated == true && Caller.From(http.User) is { } caller)
            return caller;
        var header = http.Request.Headers.Authorization.ToString();
        var hasBearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim().Length > 0;
        var failure = http.Items[AuthSetup.FailureItem] as AuthFailure;
        var reason = http.User.Identity?.IsAuthenticated == true ? "token names no user"
            : !hasBearer ? "missing bearer token"
            : failure?.Reason ?? "invalid token";
        var code = hasBearer && failure?.Transient == true ? StatusCode.Unavailable : StatusCode.Unauthenticated;
        throw new RpcException(new Status(code, $"Authentication failed: {reason}."));
    }

    private async Task AuditAsync(StatusCode code, bool swallowErrors)
    {
        try
        {
            // The client may be gone; the record is written regardless, within a bound.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await call.WriteOutcomeAsync(code, timeout.Token);
        }
        catch (Exception ex) when (swallowErrors)
        {
            logger.LogError(ex, "Could not write the audit record for {Action} by {Actor} ({Outcome})", call.Action, call.Actor, code);
        }
        catch (Exception ex) when (TransientFaults.IsTransient(ex))
        {
            logger.LogWarning(ex, "Audit store unavailable for {Action}", call.Action);
            throw new RpcException(new Status(StatusCode.Unavailable, "The audit store is temporarily unavailable; retry later."));
        }
        catch (Exception ex)
        {
            // An unaudited success must not be reported as one; a bug here is still a bug.
            var reference = Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            logger.LogError(ex, "Could not write the audit record for {Action} (reference {Reference})", call.Action, reference);
            throw new RpcException(new Status(StatusCode.Internal, $"Internal error (reference {reference})."));
        }
    }

    private RpcException Translate(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case RpcException rpc:
                return rpc;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return context.Deadline <= DateTime.UtcNow
                    ? new RpcException(new Status(StatusCode.DeadlineExceeded, "The deadline passed before the call finished."))
                    : new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            case var _ when TransientFaults.IsTransient(ex):
                logger.LogWarning(ex, "{Action} failed on a transient fault", call.Action);
                return new RpcException(new Status(StatusCode.Unavailable, "A backing service is temporarily unavailable; retry later."));
            case var _ when ForMemoryShortage(ex) is { } exhausted:
                // Not a bug in the request: this replica is short of memory for now. The exception has unwound the
                // allocation that failed, so the process carries on; the caller is told when to come back.
                logger.LogError(ex, "{Action} ran out of memory; answered RESOURCE_EXHAUSTED", call.Action);
                metrics.OutOfMemory(call.Action);
                call.Audit["reason"] = "out of memory";
                return exhausted;
            default:
                // A bug: keep the detail in the log, give the caller a reference to it.
                var reference = Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
                logger.LogError(ex, "{Action} failed unexpectedly (reference {Reference})", call.Action, reference);
                call.Audit["error_reference"] = reference;
                return new RpcException(new Status(StatusCode.Internal, $"Internal error (reference {reference})."));
        }
    }

    /// <summary>RESOURCE_EXHAUSTED with RetryInfo when the failure (or one it wraps) is a lack of memory; null otherwise.</summary>
    internal static RpcException? ForMemoryShortage(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is OutOfMemoryException or InsufficientMemoryException)
                return RetryLater.Exhausted("The server is short of memory for this request right now; retry in a few seconds.", TimeSpan.FromSeconds(5));
        }
        return null;
    }

    // "/sts.snapshot.v1.SnapshotService/CreateSnapshot" -> ("sts.snapshot.v1.SnapshotService", "CreateSnapshot")
    internal static (string Service, string Method) SplitMethod(string fullMethod)
    {
        var slash = fullMethod.LastIndexOf('/');
        return (fullMethod[1..slash], fullMethod[(slash + 1)..]);
    }

    // -> "SnapshotService.CreateSnapshot"
    internal static string ActionName(string fullMethod)
    {
        var (service, method) = SplitMethod(fullMethod);
        return service[(service.LastIndexOf('.') + 1)..] + "." + method;
    }
}
