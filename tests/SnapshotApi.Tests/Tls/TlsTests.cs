using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.Shared.Auth;
using Sts.SnapshotApi.Tests.Auth;
using Sts.SnapshotApi.Tls;

namespace Sts.SnapshotApi.Tests.Tls;

/// <summary>
/// TLS and mutual TLS on the gRPC port, over real sockets: a client that trusts the CA gets through, one that does not,
/// or that brings no or an untrusted client certificate, is refused in the handshake; a certificate renewed on disk is
/// served without a restart; a mapped client certificate can stand for a service principal.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TlsTests(ApiFixture api)
{
    private const string ServiceSubject = "CN=sts-platform-sync, O=STS Test";
    private const string ServiceIdentity = "platform-sync@sts.test";

    [Fact]
    public async Task A_grpc_client_that_trusts_the_ca_calls_over_tls_and_others_cannot()
    {
        using var pki = new TestPki("STS Test CA");
        using var stranger = new TestPki("Some Other CA");
        await using var replica = await TlsReplica.StartAsync(api, TlsReplica.Settings(pki.Write(pki.IssueServer(), "server")));
        var room = await api.NewRoomAsync();

        Assert.Equal((StatusCode.OK, ""), await TlsReplica.GetRoomAsync(replica.Client(pki, token: AdminToken()), room));
        using var health = GrpcChannel.ForAddress(replica.Address, new GrpcChannelOptions { HttpHandler = pki.Handler() });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(health).CheckAsync(new HealthCheckRequest())).Status);

        // A client that trusts another CA refuses the server; a plaintext (h2c) client cannot talk to a TLS port.
        var (code, detail) = await TlsReplica.GetRoomAsync(replica.Client(stranger, token: AdminToken()), room);
        Assert.True(code != StatusCode.OK && detail.StartsWith("client-side: ", StringComparison.Ordinal) && detail.Contains("The SSL connection could not be established", StringComparison.Ordinal), $"Got {code}: {detail}");
        var plaintext = api.WithToken(AdminToken(), api.Channel(new UriBuilder(replica.Address) { Scheme = "http" }.Uri));
        Assert.NotEqual(StatusCode.OK, (await TlsReplica.GetRoomAsync(plaintext, room)).Code);
        Assert.True((await TlsProbe.ConnectAsync(replica.Address, pki.Ca)).Accepted);
    }

    [Fact]
    public async Task Mutual_tls_accepts_a_trusted_client_certificate_and_refuses_a_missing_or_untrusted_one_in_the_handshake()
    {
        using var pki = new TestPki("STS Test CA");
        using var stranger = new TestPki("Some Other CA");
        await using var replica = await TlsReplica.StartAsync(api, TlsReplica.Settings(pki.Write(pki.IssueServer(), "server"), pki.CaFile));
        var room = await api.NewRoomAsync();
        var trusted = pki.IssueClient("CN=sts-cli, O=STS Test");
        var untrusted = stranger.IssueClient("CN=sts-cli, O=STS Test");

        Assert.True((await TlsProbe.ConnectAsync(replica.Address, pki.Ca, trusted)).Accepted);
        Assert.Equal((StatusCode.OK, ""), await TlsReplica.GetRoomAsync(replica.Client(pki, trusted, AdminToken()), room));
        var audited = await api.ScalarAsync<long>("select count(*) from audit_log");

        foreach (var (name, certificate) in new[] { ("no client certificate", null), ("an untrusted client certificate", untrusted) })
        {
            var probe = await TlsProbe.ConnectAsync(replica.Address, pki.Ca, certificate);
            Assert.False(probe.Accepted, $"With {name} the server spoke HTTP/2: {probe.Detail}");
            // The client learns of it when the connection drops (UNAVAILABLE) or while it sets up HTTP/2 (INTERNAL), as TLS 1.3 timing has it.
            var (code, detail) = await TlsReplica.GetRoomAsync(replica.Client(pki, certificate, AdminToken()), room);
            Assert.True(code is StatusCode.Unavailable or StatusCode.Internal && detail.StartsWith("client-side: ", StringComparison.Ordinal),
                $"With {name}: expected a failed connection, got {code}: {detail}");
        }
        // Refused before any request: the calls never reached the pipeline, so nothing was audited.
        Assert.Equal(audited, await api.ScalarAsync<long>("select count(*) from audit_log"));
    }

    [Fact]
    public async Task A_certificate_swapped_on_disk_is_served_to_new_connections_without_a_restart()
    {
        using var pki = new TestPki("STS Test CA");
        var first = pki.IssueServer("snapshot-api-2026");
        var files = pki.Write(first, "server");
        var settings = TlsReplica.Settings(files);
        settings["Tls:ReloadInterval"] = "00:00:00.200";
        await using var replica = await TlsReplica.StartAsync(api, settings);
        Assert.Equal(first.Thumbprint, (await TlsProbe.ConnectAsync(replica.Address, pki.Ca)).ServerCertificate?.Thumbprint);

        // A new key written before its certificate: the pair does not match, so the old one stays in use meanwhile.
        var second = pki.IssueServer("snapshot-api-2027");
        var credentials = replica.Host.Services.GetRequiredService<TlsCredentials>();
        await File.WriteAllTextAsync(files.Key, second.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        credentials.ReloadIfChanged();
        Assert.Equal(first.Thumbprint, credentials.Current.Certificate.Thumbprint);
        Assert.Equal(first.Thumbprint, (await TlsProbe.ConnectAsync(replica.Address, pki.Ca)).ServerCertificate?.Thumbprint);

        await File.WriteAllTextAsync(files.Certificate, second.ExportCertificatePem());

        await SnapshotWaiting.EventuallyAsync(async () => (await TlsProbe.ConnectAsync(replica.Address, pki.Ca)).ServerCertificate?.Thumbprint == second.Thumbprint,
            TimeSpan.FromSeconds(15), "the new certificate to be served");
        Assert.Equal((StatusCode.OK, ""), await TlsReplica.GetRoomAsync(replica.Client(pki, token: AdminToken()), await api.NewRoomAsync()));
    }

    [Fact]
    public async Task A_mapped_client_certificate_authenticates_a_service_principal_and_a_bearer_token_still_decides_when_sent()
    {
        using var pki = new TestPki("STS Test CA");
        var settings = TlsReplica.Settings(pki.Write(pki.IssueServer(), "server"), pki.CaFile);
        settings["Tls:ClientPrincipals:0:Subject"] = "CN=sts-platform-sync,O=STS Test"; // RFC 2253 spelling, as openssl prints it
        settings["Tls:ClientPrincipals:0:Identity"] = ServiceIdentity;
        settings["Tls:ClientPrincipals:0:RoomsWrite"] = "true";
        await using var replica = await TlsReplica.StartAsync(api, settings);
        var service = pki.IssueClient(ServiceSubject);
        var other = pki.IssueClient("CN=sts-cli, O=STS Test");
        var room = TestRooms.WithEveryRole();

        await replica.Client(pki, service).Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        Assert.Equal($"{ServiceIdentity} RoomService.UpsertRoom ok", await api.LastAuditAsync());

        var unmapped = await Assert.ThrowsAsync<RpcException>(() => replica.Client(pki, other).Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unmapped.StatusCode);
        Assert.Contains("missing bearer token", unmapped.Status.Detail, StringComparison.Ordinal);

        var party = api.Mint(TestRooms.Email(room.Id, PartyRole.Buyer), null, [], TimeSpan.FromMinutes(10));
        var asParty = await Assert.ThrowsAsync<RpcException>(() => replica.Client(pki, service, party).Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, asParty.StatusCode);
        Assert.Equal($"{TestRooms.Email(room.Id, PartyRole.Buyer)} RoomService.UpsertRoom permission_denied", await api.LastAuditAsync());
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { "https endpoint without a certificate", "Tls:CertificateFile and Tls:KeyFile are not set" },
        { "certificate on a plaintext endpoint", "would stay plaintext" },
        { "key of another certificate", "cannot be used" },
        { "a client certificate as the server's", "not meant for servers" },
        { "client CA file that does not exist", "Tls:ClientCaFile" },
        { "principals without mutual TLS", "Tls:ClientPrincipals needs Tls:ClientCaFile" },
        { "principal subject that is not a name", "is not a distinguished name" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_tls_settings_fail_at_start_up_with_a_clear_message(string settings, string message)
    {
        using var pki = new TestPki("STS Test CA");
        var server = pki.Write(pki.IssueServer(), "server");
        var overrides = settings switch
        {
            "https endpoint without a certificate" => new Dictionary<string, string?> { ["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0" },
            "certificate on a plaintext endpoint" => new Dictionary<string, string?> { ["Tls:CertificateFile"] = server.Certificate, ["Tls:KeyFile"] = server.Key },
            "key of another certificate" => TlsReplica.Settings((server.Certificate, pki.Write(pki.IssueServer(), "other").Key)),
            "a client certificate as the server's" => TlsReplica.Settings(pki.Write(pki.IssueClient("CN=not-a-server"), "client")),
            "client CA file that does not exist" => TlsReplica.Settings(server, Path.Combine(pki.Folder, "missing-ca.crt")),
            "principals without mutual TLS" => With(TlsReplica.Settings(server), ("Tls:ClientPrincipals:0:Subject", ServiceSubject), ("Tls:ClientPrincipals:0:Identity", ServiceIdentity)),
            "principal subject that is not a name" => With(TlsReplica.Settings(server, pki.CaFile), ("Tls:ClientPrincipals:0:Subject", "sts-platform-sync"), ("Tls:ClientPrincipals:0:Identity", ServiceIdentity)),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings, "No such case in this test."),
        };
        Assert.Contains(message, await api.StartupFailureAsync(overrides), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, params (string Key, string Value)[] more)
    {
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    private string AdminToken() => api.Mint(ApiFixture.AdminEmail, StsClaims.AdminRole, [], TimeSpan.FromMinutes(10));

}
