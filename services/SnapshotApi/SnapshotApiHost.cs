using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sts.Shared.Rooms;
using Sts.Shared.Storage;
using Sts.Shared.Telemetry;
using Sts.SnapshotApi.Admin;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Backups;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Messaging;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Rpc;
using Sts.SnapshotApi.Schedules;
using Sts.SnapshotApi.Snapshots;
using Sts.SnapshotApi.Telemetry;
using Sts.SnapshotApi.Tls;

namespace Sts.SnapshotApi;

/// <summary>Builds the service. Program.cs runs it; tests start it in-process on a real socket.</summary>
public static class SnapshotApiHost
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var services = builder.Services;
        var config = builder.Configuration;

        // TryAdd: a test that moves time registers its own clock first.
        services.TryAddSingleton(TimeProvider.System);
        services.AddStsDatabase(config);
        services.AddStsAuthentication(config);
        services.AddGrpcTls(config);
        services.AddSnapshotStore(config);
        services.AddSnapshotApiBus(config);
        services.AddStsTelemetry(config, ApiMetrics.MeterName);
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<StorageVerifier>();
        services.AddSingleton<PipelineGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineGauges>());
        services.AddOptions<TaskOptions>().BindConfiguration(TaskOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RoomStateOptions>().BindConfiguration(RoomStateOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RoomFreezer>();
        services.AddSingleton<SnapshotAdmission>();
        services.AddScoped<SnapshotCreator>();
        services.AddSingleton<RoomStateReader>();
        services.AddScoped<SnapshotVerification>();
        services.AddScoped<SnapshotDiff>();
        services.AddSingleton<SnapshotDeleter>();
        services.AddHostedService<Housekeeping>();
        services.AddHostedService<TaskReaper>();
        services.AddScoped<RpcCall>();
        services.AddScoped<RoomAccess>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CallerRateLimiter>();
        services.AddAudit();
        services.AddSchedules();
        services.AddBackups();

        // A room travels whole in UpsertRoom and GetRoom, so a message must hold the largest room the API accepts.
        var maxMessageBytes = config.GetValue("Grpc:MaxMessageBytes", 16 * 1024 * 1024);
        if (maxMessageBytes < RoomValidator.MaxRoomBytes + 64 * 1024)
            throw new InvalidOperationException(
                $"Grpc:MaxMessageBytes is {maxMessageBytes}; it must be at least {RoomValidator.MaxRoomBytes + 64 * 1024} so that a room of the largest size accepted ({RoomValidator.MaxRoomBytes} bytes) fits in one message.");
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = maxMessageBytes;
            o.MaxSendMessageSize = maxMessageBytes;
            o.Interceptors.Add<RpcPipeline>();
        });
        // grpc.health.v1: "" (the whole server) is ready only while PostgreSQL and the bus are; "liveness" asks nothing of them.
        services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", check => check.Tags.Contains("ready"));
            o.Services.Map("liveness", check => check.Tags.Contains("live"));
        })
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        services.AddGrpcReflection();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseMiddleware<RequestMessageCheck>();
        app.MapGrpcService<RoomGrpcService>();
        app.MapGrpcService<SnapshotGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapSchedules();
        app.MapGrpcHealthChecksService();
        // The same two answers over plain HTTP on the metrics port, for probes that cannot reach a TLS gRPC port.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapGrpcReflectionService();
        app.MapStsMetrics();
        return app;
    }
}
