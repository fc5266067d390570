using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Data;

/// <summary>Registers the store and applies migrations at start-up.</summary>
public static class DatabaseSetup
{
    public static IServiceCollection AddStsDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("ConnectionStrings:Postgres is not set (for local runs: eval \"$(scripts/infra.sh env)\").");
        // Made by the container, so that it is disposed with it (a registered instance would not be): a host that stops
        // closes its pooled connections, which matters where one process starts and stops many hosts (the tests).
        services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddSingleton<PostgresListener>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresListener>());
        // Pooled: a context per call is reset and reused rather than built anew, which a read of a few hundred
        // microseconds notices.
        services.AddPooledDbContextFactory<StsDbContext>((provider, o) => o.UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>())
            // SnapshotStateRow shares the snapshots table and is absent on purpose when the state is claim-checked
            // (room_state NULL, state_key set): an optional dependent is what it is.
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.OptionalDependentWithoutIdentifyingPropertyWarning)));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<StsDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>Applies pending migrations. Safe to run twice, and from several replicas at once (EF takes a migration lock).</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<StsDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
