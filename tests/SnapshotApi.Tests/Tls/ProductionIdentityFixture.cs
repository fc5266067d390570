using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Net.Client;
using Sts.Shared.Auth;
using Sts.SnapshotApi.Tests.Auth;

namespace Sts.SnapshotApi.Tests.Tls;

/// <summary>
/// The API as a production deployment runs it: tokens only from an OpenID Connect issuer (discovery and JWKS served on
/// loopback, RS256, PS256 and ES256) and mutual TLS on the gRPC port. Every client of the fixture trusts the test CA
/// and presents a client certificate; <see cref="Mint"/> signs with the issuer's keys, spreading callers over the three algorithms.
/// </summary>
public sealed class ProductionIdentityFixture : ApiFixture, IDisposable
{
    private static readonly string[] Algorithms = ["RS256", "PS256", "ES256"];

    private readonly TestPki _pki = new("STS Test CA");
    private X509Certificate2 _clientCertificate = null!;
    private (string Certificate, string Key) _serverFiles;

    public TestIssuer Issuer { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Issuer = await TestIssuer.StartAsync();
        _serverFiles = _pki.Write(_pki.IssueServer(), "server");
        _clientCertificate = _pki.IssueClient("CN=sts-fuzz, O=STS Test");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    /// <summary>The test CA's folder goes last, after the API that read from it.</summary>
    public void Dispose() => _pki.Dispose();

    public override string Mint(string email, string? role, IEnumerable<string> scopes, TimeSpan lifetime) =>
        Issuer.Mint(Issuer.Key(Algorithms[email.Sum(c => c) % Algorithms.Length]), email, role, scopes, lifetime);

    /// <summary>Tokens that only an API trusting this issuer must refuse for reasons of its own: algorithm confusion, forged kids, the development key.</summary>
    public override IReadOnlyList<(string Name, string Token)> Forgeries(int seed)
    {
        var claims = HandMadeJwt.Claims(Issuer.Url, TestIssuer.Audience, AdminEmail, StsClaims.AdminRole, lifetime: TimeSpan.FromMinutes(30));
        var rsa = Issuer.Key("RS256");
        var stranger = TestKey.Create("ES256");
        return
        [
            ("HS256 signed with the issuer's public key", HandMadeJwt.Build("HS256", claims, data => HMACSHA256.HashData(Encoding.ASCII.GetBytes(rsa.PublicKeyPem), data), rsa.KeyId)),
            ("unsigned admin token under a real kid", HandMadeJwt.Build("none", claims, sign: null, rsa.KeyId)),
            ("admin token from the development key", TokenMinter.Mint(Tokens, AdminEmail, StsClaims.AdminRole, [], TimeSpan.FromMinutes(30))),
            ("admin token under a forged kid", HandMadeJwt.Build("ES256", claims, stranger.Sign, $"forged-{seed}")),
            ("admin token under the ES256 kid, signed by another key", HandMadeJwt.Build("ES256", claims, stranger.Sign, Issuer.Key("ES256").KeyId)),
            ("admin token for another audience", TestIssuer.Sign(rsa, HandMadeJwt.Claims(Issuer.Url, "some-other-api", AdminEmail, StsClaims.AdminRole))),
            ("admin token naming another issuer", TestIssuer.Sign(rsa, HandMadeJwt.Claims(Issuer.Url + "-evil", TestIssuer.Audience, AdminEmail, StsClaims.AdminRole))),
        ];
    }

    protected override void ConfigureApi(IDictionary<string, string?> settings)
    {
        foreach (var (key, value) in Issuer.ApiSettings()) settings[key] = value;
        foreach (var (key, value) in TlsReplica.Settings(_serverFiles, _pki.CaFile)) settings[key] = value;
    }

    protected override void ConfigureChannel(GrpcChannelOptions options) => options.HttpHandler = _pki.Handler(_clientCertificate);
}

[CollectionDefinition(Name)]
public sealed class ProductionIdentityCollection : ICollectionFixture<ProductionIdentityFixture>
{
    public const string Name = "production-identity";
}
