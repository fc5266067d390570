using Sts.SnapshotApi;
using Sts.SnapshotApi.Data;

var app = SnapshotApiHost.Create(args);
if (app.Configuration.GetValue("Database:MigrateOnStartup", true))
    await app.Services.MigrateDatabaseAsync();
await app.RunAsync();
