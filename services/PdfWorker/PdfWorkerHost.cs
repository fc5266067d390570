using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Sts.PdfWorker.Cache;
using Sts.PdfWorker.Generation;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Signing;
using Sts.Shared.Storage;
using Sts.Shared.Telemetry;

namespace Sts.PdfWorker;

/// <summary>Builds the worker: one line per feature. Program.cs runs it; tests start it in-process, several at a time.</summary>
public static partial class PdfWorkerHost
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var services = builder.Services;
        var config = builder.Configuration;

        services.AddSingleton(TimeProvider.System);
        // Hosted services start in this order: the store check before the bus takes any message.
        services.AddStsTelemetry(config, WorkerStatistics.MeterName);
        services.AddRendering();
        services.AddSigning(config);
        services.AddRenderCache();
        services.AddSnapshotStore(config);
        services.AddGeneration(config);
        services.AddHealthChecks();

        var app = builder.Build();
        // Liveness asks nothing of the broker; readiness needs the bus (MassTransit tags its check "ready").
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapStsMetrics();
        LogShutdown(app);
        return app;
    }

    /// <summary>What a rolling restart needs to see in the log: how many renders the stop found, and how many it left.</summary>
    private static void LogShutdown(WebApplication app)
    {
        var statistics = app.Services.GetRequiredService<WorkerStatistics>();
        var drain = app.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.DrainTimeout;
        var logger = app.Logger;
        app.Lifetime.ApplicationStopping.Register(() => Stopping(logger, statistics.InFlight, drain));
        app.Lifetime.ApplicationStopped.Register(() => Stopped(logger, statistics.CutShortRenders, statistics.Renders));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: taking no more messages; {InFlight} render(s) in hand get up to {DrainTimeout} to finish, prefetched messages go back to the queue")]
    private static partial void Stopping(ILogger logger, int inFlight, TimeSpan drainTimeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped: {CutShort} render(s) cut short by the drain timeout (their messages go back to the queue); {Renders} rendered in this process")]
    private static partial void Stopped(ILogger logger, long cutShort, long renders);
}
