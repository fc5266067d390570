using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Sts.PdfWorker.Cache;
using Sts.PdfWorker.Generation;
using Sts.PdfWorker.Messaging;
using Sts.PdfWorker.Rendering;
using Sts.Shared.Storage;
using Sts.Shared.Telemetry;

namespace Sts.PdfWorker;

/// <summary>Builds the worker. Program.cs runs it; tests start it in-process, several at a time.</summary>
public static class PdfWorkerHost
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var services = builder.Services;
        var config = builder.Configuration;

        var worker = config.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WorkerStatistics>();
        services.AddRendering();
        services.AddOptions<RenderCacheOptions>().BindConfiguration("RenderCache").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RenderCache>();
        services.AddHostedService<CacheHousekeeping>();
        services.AddHostedService<WorkerStatsReporter>();
        services.AddStsTelemetry(config, WorkerStatistics.MeterName);
        services.AddSnapshotStore(config);
        services.AddWorkerBus(config, worker);
        services.AddHealthChecks();

        var app = builder.Build();
        // Liveness asks nothing of the broker; readiness needs the bus (MassTransit tags its check "ready").
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapStsMetrics();
        return app;
    }
}
