using System.Security.Authentication;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Sts.Api.V1;

namespace Sts.Cli;

/// <summary>One channel to the API, the caller's bearer token, and the deadline that every call carries.</summary>
public sealed class ApiConnection : IDisposable
{
    public static readonly TimeSpan DefaultUnaryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Watch and download last as long as the snapshot takes to render or the file to arrive.</summary>
    public static readonly TimeSpan DefaultStreamTimeout = TimeSpan.FromMinutes(10);

    // The API sends up to 16 MiB (Grpc:MaxMessageBytes); GetRoom of a large room needs more than gRPC's 4 MiB default.
    private const int MaxReceiveBytes = 16 * 1024 * 1024;

    private readonly GrpcChannel _channel;
    private readonly Metadata _headers = [];
    private readonly TimeSpan? _timeout;
    private readonly DevIdentity? _mintedFor;
    private readonly ClientTls _tls;
    private TimeSpan _lastTimeout;

    public ApiConnection(Uri address, ClientTls tls, string? token, TimeSpan? timeout, DevIdentity? mintedFor)
    {
        Address = address;
        _tls = tls;
        _timeout = timeout;
        _mintedFor = mintedFor;
        if (token is not null) _headers.Add("authorization", $"Bearer {token}");
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = tls.CreateHandler(address),
            MaxReceiveMessageSize = MaxReceiveBytes,
            ServiceConfig = new ServiceConfig { MethodConfigs = { RetryUnavailable() } },
        });
        Rooms = new RoomService.RoomServiceClient(_channel);
        Snapshots = new SnapshotService.SnapshotServiceClient(_channel);
        Audit = new AuditService.AuditServiceClient(_channel);
        Schedules = new ScheduleService.ScheduleServiceClient(_channel);
        Admin = new AdminService.AdminServiceClient(_channel);
        Health = new Health.HealthClient(_channel);
    }

    public Uri Address { get; }

    public RoomService.RoomServiceClient Rooms { get; }

    public SnapshotService.SnapshotServiceClient Snapshots { get; }

    public AuditService.AuditServiceClient Audit { get; }

    public ScheduleService.ScheduleServiceClient Schedules { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public Health.HealthClient Health { get; }

    /// <summary>Options for a unary call: --timeout, else 30 s, and never past <paramref name="cap"/>.</summary>
    public CallOptions Unary(CancellationToken ct, TimeSpan? cap = null)
    {
        var timeout = _timeout ?? DefaultUnaryTimeout;
        return Options(cap < timeout ? cap.Value : timeout, ct);
    }

    /// <summary>Options for a unary call that does long work (a backup or a restore): as long as a stream.</summary>
    public CallOptions LongRunning(CancellationToken ct) => Stream(ct);

    /// <summary>Options for a server stream: --timeout, else 10 minutes, for the whole stream.</summary>
    public CallOptions Stream(CancellationToken ct) => Options(_timeout ?? DefaultStreamTimeout, ct);

    /// <summary>A hint for the statuses whose cause usually lies on this side of the wire.</summary>
    public string? Explain(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.DeadlineExceeded => $"the call did not finish within {Duration.Format(_lastTimeout)}; --timeout sets the deadline",
        // The TLS handshake failed here (the server's certificate) or there (ours): the call never reached the API.
        _ when ex.Status.DebugException?.GetBaseException() is AuthenticationException => _tls.CaFile is null
            ? $"API at {Address}; a certificate from a private CA needs --ca"
            : $"API at {Address}; is --ca the authority that issued its certificate?",
        // A server that requires client certificates ends a TLS 1.3 connection without one right after the handshake.
        _ when ex.Status.DebugException is HttpRequestException && Address.Scheme == Uri.UriSchemeHttps && _tls.CertificateFile is null
            => $"API at {Address}; one that requires client certificates needs --cert and --key",
        StatusCode.Unavailable => $"API at {Address}",
        StatusCode.Unauthenticated when _mintedFor is not null => $"dev token for {_mintedFor}; does the API use the same signing key?",
        _ => null,
    };

    public void Dispose() => _channel.Dispose();

    private CallOptions Options(TimeSpan timeout, CancellationToken ct)
    {
        _lastTimeout = timeout;
        return new CallOptions(_headers, TimeProvider.System.GetUtcNow().UtcDateTime + timeout, ct);
    }

    /// <summary>
    /// UNAVAILABLE is the one status our API asks clients to retry. Every call is safe to repeat:
    /// reads and deletes by nature, UpsertRoom replaces, and CreateSnapshot always carries a request_id.
    /// </summary>
    private static MethodConfig RetryUnavailable() => new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(250),
            MaxBackoff = TimeSpan.FromSeconds(2),
            BackoffMultiplier = 2,
            RetryableStatusCodes = { StatusCode.Unavailable },
        },
    };
}
