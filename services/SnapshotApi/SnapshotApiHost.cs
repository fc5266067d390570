using Microsoft.Extensions.DependencyInjection.Extensions;
using Sts.Shared.Storage;
using Sts.SnapshotApi.Admin;
using Sts.SnapshotApi.Audit;
using Sts.SnapshotApi.Auth;
using Sts.SnapshotApi.Backups;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Messaging;
using Sts.SnapshotApi.Outbox;
using Sts.SnapshotApi.Rooms;
using Sts.SnapshotApi.Rpc;
using Sts.SnapshotApi.Schedules;
using Sts.SnapshotApi.Snapshots;
using Sts.SnapshotApi.Telemetry;
using Sts.SnapshotApi.Tls;

namespace Sts.SnapshotApi;

/// <summary>Builds the service: one line per feature. Program.cs runs it; tests start it in-process on a real socket.</summary>
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
        // Hosted services start in this order: the store and queue checks before the bus, the bus before the relay.
        services.AddStsDatabase(config);
        services.AddStsAuthentication(config);
        services.AddGrpcTls(config);
        services.AddSnapshotStore(config);
        services.AddApiBus(config);
        services.AddSnapshots();
        services.AddOutbox();
        services.AddObservability(config);
        services.AddAudit();
        services.AddSchedules();
        services.AddBackups();
        services.AddAdmin();
        services.AddRpc();

        var app = builder.Build();
        app.UseRpc();
        app.MapRooms();
        app.MapSnapshots();
        app.MapAudit();
        app.MapAdmin();
        app.MapSchedules();
        app.MapObservability();
        app.MapRpcReflection();
        return app;
    }
}
