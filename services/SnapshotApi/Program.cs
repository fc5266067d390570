using Microsoft.Extensions.Options;
using Sts.Shared.Hosting;
using Sts.SnapshotApi;
using Sts.SnapshotApi.Data;

var app = SnapshotApiHost.Create(args);
if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
    await app.Services.MigrateDatabaseAsync();
return await app.RunServiceAsync();
