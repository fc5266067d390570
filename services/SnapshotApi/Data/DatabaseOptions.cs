namespace Sts.SnapshotApi.Data;

/// <summary>Settings of the database (section "Database"); the connection string is ConnectionStrings:Postgres.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations at start-up (several replicas may; EF takes a lock). Off where a job migrates.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
