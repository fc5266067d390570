using Npgsql;
using Testcontainers.PostgreSql;

namespace Sts.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL database for one test run: in a Testcontainers container when a Docker engine
/// answers, otherwise on the server that scripts/infra.sh started (CI has no Docker engine).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly PostgreSqlContainer? _container;
    private readonly string _adminConnectionString;

    private TestDatabase(PostgreSqlContainer? container, string adminConnectionString, string name)
    {
        _container = container;
        _adminConnectionString = adminConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public string ConnectionString { get; }

    /// <summary>One value from <paramref name="sql"/>, with parameters @p0, @p1, ….</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < parameters.Length; i++) command.Parameters.AddWithValue($"p{i}", parameters[i]);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task ExecuteAsync(string sql, params object[] parameters) => ScalarAsync<object>(sql, parameters);

    /// <summary>Waits until the outbox relay has sent the snapshot's messages (every message, without an id).</summary>
    public Task WaitUntilRelayedAsync(Guid? snapshotId = null, TimeSpan? timeout = null) =>
        SnapshotWaiting.EventuallyAsync(async () => await (snapshotId is { } id
                ? ScalarAsync<long>("SELECT count(*) FROM outbox WHERE snapshot_id = @p0 AND sent_at IS NULL", id)
                : ScalarAsync<long>("SELECT count(*) FROM outbox WHERE sent_at IS NULL")) == 0,
            timeout ?? TimeSpan.FromSeconds(30), snapshotId is null ? "the outbox to be sent" : $"the relay to send snapshot {snapshotId}'s message");

    public static async Task<TestDatabase> CreateAsync()
    {
        PostgreSqlContainer? container = null;
        string admin;
        if (DockerEngine.Answers())
        {
            container = new PostgreSqlBuilder("postgres:15").Build();
            await container.StartAsync();
            admin = container.GetConnectionString();
        }
        else
        {
            admin = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
                ?? "Host=127.0.0.1;Port=55432;Username=sts;Password=sts;Database=sts";
        }

        var name = $"sts_test_{Guid.NewGuid():N}";
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL to test against ({ex.Message}). Start it with scripts/infra.sh up, or run scripts/test.sh.", ex);
        }
        return new TestDatabase(container, admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
            return;
        }
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        // A background service that is still reconnecting can race the drop; a throwaway database that
        // outlives its run is only clutter, so try a few times and then say so rather than fail the run.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_adminConnectionString);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (attempt < 3)
            {
                await Console.Error.WriteLineAsync($"Dropping test database {name} failed ({ex.SqlState}: {ex.MessageText}); retrying.");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (PostgresException ex)
            {
                await Console.Error.WriteLineAsync($"Test database {name} was left behind: {ex.SqlState}: {ex.MessageText}");
                return;
            }
        }
    }
}
