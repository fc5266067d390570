using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Sts.Shared.Telemetry;

/// <summary>
/// Metrics (Prometheus at /metrics) and traces for both services. Traces are always collected so that
/// trace context flows through RabbitMQ; exporting them over OTLP happens only when
/// Telemetry:OtlpEndpoint is set.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Latency buckets in seconds, from 5 ms (a cache hit) to 2 minutes (a very large PDF).</summary>
    public static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    public static IServiceCollection AddStsTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        var otlp = configuration["Telemetry:OtlpEndpoint"];
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(m =>
            {
                m.AddMeter(serviceName, "MassTransit");
                m.AddPrometheusExporter();
            })
            .WithTracing(t =>
            {
                t.AddSource(serviceName, "MassTransit");
                t.AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/metrics");
                if (!string.IsNullOrWhiteSpace(otlp)) t.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            });
        return services;
    }

    public static IEndpointRouteBuilder MapStsMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint();
        return endpoints;
    }
}
