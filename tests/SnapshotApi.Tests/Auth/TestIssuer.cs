using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>
/// An OpenID Connect issuer on loopback, shaped like a Keycloak realm: a discovery document and a JWKS served by
/// Kestrel, keys that can be rotated or withdrawn, a count of JWKS fetches, and an off switch that really closes the port.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "sts-snapshot-api";
    private const string RealmPath = "/realms/sts";
    private const string JwksPath = RealmPath + "/protocol/openid-connect/certs";

    private readonly Lock _gate = new();
    private readonly List<TestKey> _published = [];
    private WebApplication? _server;
    private int _jwksFetches;

    private TestIssuer()
    {
    }

    public int Port { get; private set; }

    /// <summary>The issuer's URL: its "iss", and the Auth:Authority the API discovers it at.</summary>
    public string Url => $"http://127.0.0.1:{Port}{RealmPath}";

    public string JwksUrl => $"http://127.0.0.1:{Port}{JwksPath}";

    /// <summary>How many times the JWKS was served since the issuer was made.</summary>
    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>Starts an issuer on a free loopback port that publishes one key each for RS256, PS256 and ES256.</summary>
    public static async Task<TestIssuer> StartAsync()
    {
        var issuer = new TestIssuer();
        foreach (var algorithm in new[] { "RS256", "PS256", "ES256" }) issuer.Publish(TestKey.Create(algorithm));
        await issuer.StartServerAsync(port: 0);
        return issuer;
    }

    /// <summary>What Auth needs to trust this issuer by discovery (plain http is allowed only because it is loopback).</summary>
    public Dictionary<string, string?> ApiSettings() => new()
    {
        ["Auth:Authority"] = Url,
        ["Auth:Issuer"] = Url,
        ["Auth:Audience"] = Audience,
        ["Auth:SigningKey"] = "",
        ["Auth:RequireHttpsMetadata"] = "false",
    };

    public IReadOnlyList<TestKey> Published
    {
        get
        {
            lock (_gate) return [.. _published];
        }
    }

    /// <summary>The published key for an algorithm.</summary>
    public TestKey Key(string algorithm) => Published.First(k => k.Algorithm == algorithm);

    public void Publish(TestKey key)
    {
        lock (_gate) _published.Add(key);
    }

    public void Withdraw(TestKey key)
    {
        lock (_gate) _published.Remove(key);
    }

    /// <summary>Replaces the key of an algorithm with a new one under a new kid, as an issuer's rotation does.</summary>
    public TestKey Rotate(string algorithm)
    {
        var old = Key(algorithm);
        var next = TestKey.Create(algorithm);
        Publish(next);
        Withdraw(old);
        return next;
    }

    /// <summary>A token from this issuer for <paramref name="email"/>, signed with <paramref name="key"/> under its kid.</summary>
    public string Mint(TestKey key, string? email, string? role = null, IEnumerable<string>? scopes = null, TimeSpan? lifetime = null) =>
        Sign(key, HandMadeJwt.Claims(Url, Audience, email, role, scopes, lifetime));

    /// <summary>Any claims, signed with <paramref name="key"/> under its kid.</summary>
    public static string Sign(TestKey key, JsonObject claims) => HandMadeJwt.Build(key.Algorithm, claims, key.Sign, key.KeyId);

    /// <summary>Closes the port: fetches fail with "connection refused", as with an issuer that is down.</summary>
    public async Task StopAsync()
    {
        if (_server is null) return;
        await _server.StopAsync();
        await _server.DisposeAsync();
        _server = null;
    }

    /// <summary>Opens the same port again.</summary>
    public Task StartAgainAsync() => StartServerAsync(Port);

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartServerAsync(int port)
    {
        // An empty builder: no appsettings.json (the test folder has the services' copies, with their ports).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.Run(ServeAsync);
        await app.StartAsync();
        _server = app;
        Port = new Uri(app.Urls.First()).Port;
    }

    private Task ServeAsync(HttpContext context)
    {
        switch (context.Request.Path.Value)
        {
            case RealmPath + "/.well-known/openid-configuration":
                return JsonAsync(context, new JsonObject
                {
                    ["issuer"] = Url,
                    ["jwks_uri"] = JwksUrl,
                    ["id_token_signing_alg_values_supported"] = new JsonArray("RS256", "PS256", "ES256"),
                });
            case JwksPath:
                Interlocked.Increment(ref _jwksFetches);
                return JsonAsync(context, new JsonObject { ["keys"] = new JsonArray([.. Published.Select(k => (JsonNode)k.Jwk())]) });
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }

    private static Task JsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }
}
