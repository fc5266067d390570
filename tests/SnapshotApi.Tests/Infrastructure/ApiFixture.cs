using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sts.Api.V1;
using Sts.Shared.Auth;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Tests.Infrastructure;

/// <summary>SnapshotApi running in-process on a real Kestrel socket, against a real, throwaway PostgreSQL database.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public const string PlatformEmail = "platform@sts.test";
    public const string AdminEmail = "ops-admin@sts.test";

    private TestDatabase? _database;
    private WebApplication? _app;
    private GrpcChannel? _channel;

    /// <summary>A signing key made for this run; tokens from any other key must fail.</summary>
    public TokenSettings Tokens { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)) };

    public Uri Address { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public string ConnectionString => _database!.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = SnapshotApiHost.Create([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = _database.ConnectionString,
            ["Auth:SigningKey"] = Tokens.SigningKey,
            ["Auth:Issuer"] = Tokens.Issuer,
            ["Auth:Audience"] = Tokens.Audience,
            ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await _app.Services.MigrateDatabaseAsync();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
        _channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { MaxReceiveMessageSize = 32 * 1024 * 1024, MaxSendMessageSize = 32 * 1024 * 1024 });
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_database is not null) await _database.DisposeAsync();
    }

    /// <summary>Clients that call as the given user, with a token signed by this run's key.</summary>
    public ApiClient As(string email, string? role = null, params string[] scopes) =>
        WithToken(TokenMinter.Mint(Tokens, email, role, scopes, TimeSpan.FromMinutes(10)));

    /// <summary>The platform's service principal, which may write rooms.</summary>
    public ApiClient Platform => As(PlatformEmail, null, StsClaims.RoomsWriteScope);

    /// <summary>A platform admin, who may act on every room.</summary>
    public ApiClient Admin => As(AdminEmail, StsClaims.AdminRole);

    public ApiClient WithToken(string? token)
    {
        var invoker = token is null
            ? _channel!.CreateCallInvoker()
            : _channel!.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return metadata;
            });
        return new ApiClient(invoker);
    }

    public StsDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<StsDbContext>>().CreateDbContext();

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
}

/// <summary>Typed clients sharing one identity.</summary>
public sealed class ApiClient(CallInvoker invoker)
{
    public RoomService.RoomServiceClient Rooms { get; } = new(invoker);
    public SnapshotService.SnapshotServiceClient Snapshots { get; } = new(invoker);
    public AuditService.AuditServiceClient Audit { get; } = new(invoker);
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
