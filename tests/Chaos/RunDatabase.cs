using Npgsql;

namespace Sts.Chaos;

/// <summary>Read-only queries against the run's own database, retried across a PostgreSQL restart.</summary>
public sealed class RunDatabase(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public async Task<long> CountAsync(string sql, CancellationToken ct)
    {
        var rows = await QueryAsync(sql, r => r.GetInt64(0), ct);
        return rows.Count == 0 ? 0 : rows[0];
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = _source.CreateCommand(sql);
                await using var reader = await command.ExecuteReaderAsync(ct);
                var rows = new List<T>();
                while (await reader.ReadAsync(ct)) rows.Add(map(reader));
                return rows;
            }
            catch (Exception ex) when (attempt < 20 && ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
            {
                await Task.Delay(500, ct);
            }
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
