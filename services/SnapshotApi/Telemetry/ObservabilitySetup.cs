using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sts.Shared.Telemetry;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Telemetry;

/// <summary>Registers what the observers read: metrics and traces, the pipeline gauges, and the health answers.</summary>
public static class ObservabilitySetup
{
    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStsTelemetry(configuration, ApiMetrics.MeterName);
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<PipelineGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineGauges>());
        // grpc.health.v1: "" (the whole server) is ready only while PostgreSQL and the bus are; "liveness" asks nothing of them.
        services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", check => check.Tags.Contains("ready"));
            o.Services.Map("liveness", check => check.Tags.Contains("live"));
        })
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        return services;
    }

    public static WebApplication MapObservability(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        // The same two answers over plain HTTP on the metrics port, for probes that cannot reach a TLS gRPC port.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapStsMetrics();
        return app;
    }
}
