using Sts.Shared.Hosting;
using Sts.SnapshotApi;
using Sts.SnapshotApi.Data;

var app = SnapshotApiHost.Create(args);
if (app.Configuration.GetValue("Database:MigrateOnStartup", true))
    await app.Services.MigrateDatabaseAsync();
return await app.RunServiceAsync();
