using Microsoft.Extensions.Options;
using Sts.Shared.Hosting;
using Sts.SnapshotApi;
using Sts.SnapshotApi.Backups;
using Sts.SnapshotApi.Data;

// `bootstrap [backup-id]` restores a backup into an empty database and exits (Backups/BootstrapCommand.cs).
var bootstrap = args is [BootstrapCommand.Verb, ..];
string? backupId = bootstrap && args.Length > 1 && !args[1].StartsWith('-') ? args[1] : null;
var app = SnapshotApiHost.Create(bootstrap ? args[(backupId is null ? 1 : 2)..] : args);
if (bootstrap) return await BootstrapCommand.RunAsync(app, backupId);

// Backup:RestoreOnEmptyDatabase: a new environment starts from the newest verified backup, before any migration.
await app.Services.RestoreOnEmptyDatabaseAsync();
if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
    await app.Services.MigrateDatabaseAsync();
return await app.RunServiceAsync();
