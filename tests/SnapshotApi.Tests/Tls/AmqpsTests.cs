using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Configuration;
using Sts.Shared.Tls;

namespace Sts.SnapshotApi.Tests.Tls;

/// <summary>amqps:// with RabbitMq:CaFile: the broker check the services use accepts only the private CA's certificate for the name dialled (the run end to end over amqps is tests/EndToEnd.Tests/Tls/AmqpsPipelineTests.cs).</summary>
[Collection(ApiCollection.Name)]
public sealed class AmqpsTests(ApiFixture api)
{
    [Fact]
    public async Task The_broker_check_accepts_only_a_certificate_from_the_ca_for_the_name_dialled()
    {
        using var pki = new TestPki("STS Broker CA");
        using var other = new TestPki("Some Other CA");
        await using var proxy = new TlsTerminatingProxy(pki.IssueServer("rabbitmq"), Backend());
        proxy.Start();

        Assert.True(await HandshakeAsync(proxy.Port, "localhost", pki.CaFile));
        Assert.False(await HandshakeAsync(proxy.Port, "localhost", other.CaFile));
        Assert.False(await HandshakeAsync(proxy.Port, "rabbitmq.example.com", pki.CaFile));
    }

    [Fact]
    public void A_ca_file_for_a_plaintext_broker_is_refused()
    {
        using var pki = new TestPki("STS Broker CA");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [BrokerTrust.CaFileSetting] = pki.CaFile }).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => BrokerTrust.From(configuration, new Uri(api.Broker.ConnectionString)));

        Assert.Contains("would stay plaintext", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A client handshake checked the way RabbitMQ.Client checks it when the services hand it <see cref="BrokerTrust"/>'s callback.</summary>
    private static async Task<bool> HandshakeAsync(int port, string host, string caFile)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [BrokerTrust.CaFileSetting] = caFile }).Build();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, BrokerTrust.From(configuration, new Uri($"amqps://{host}:{port}/")));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host });
            return true;
        }
        catch (AuthenticationException)
        {
            return false;
        }
    }

    private Uri Backend() => new(api.Broker.ConnectionString);
}
