using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Sts.Shared.Tls;

namespace Sts.SnapshotApi.Tests.Tls;

/// <summary>What the server did with one TLS connection: whether it went on to speak HTTP/2, and the certificate it presented.</summary>
public sealed record TlsProbeResult(bool Accepted, X509Certificate2? ServerCertificate, string Detail);

/// <summary>
/// Opens a TLS connection as a gRPC client does (ALPN h2), sends the HTTP/2 preface and waits for the server's SETTINGS.
/// A server that refused the client certificate never gets that far: it ends the connection in the handshake, so not one
/// HTTP/2 byte comes back. This tells a refusal at the handshake from one later in the call.
/// </summary>
public static class TlsProbe
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private static readonly byte[] EmptySettings = [0, 0, 0, 0x4, 0, 0, 0, 0, 0];
    private const byte SettingsFrame = 0x4;

    public static async Task<TlsProbeResult> ConnectAsync(Uri address, X509Certificate2 trustedCa, X509Certificate2? clientCertificate = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port, timeout.Token);
        await using var tls = new SslStream(tcp.GetStream());
        X509Certificate2? presented = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            CertificateChainPolicy = CaBundle.ChainPolicy([trustedCa], CaBundle.ServerAuthentication),
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return errors == SslPolicyErrors.None;
            },
        };
        if (clientCertificate is not null)
        {
            options.ClientCertificates = [clientCertificate];
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        try
        {
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
            await tls.WriteAsync(Preface, timeout.Token);
            await tls.WriteAsync(EmptySettings, timeout.Token);
            var header = new byte[9];
            var read = await tls.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, timeout.Token);
            return read == header.Length && header[3] == SettingsFrame
                ? new TlsProbeResult(true, presented, "the server sent its HTTP/2 SETTINGS")
                : new TlsProbeResult(false, presented, $"the server closed the connection after {read} bytes");
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return new TlsProbeResult(false, presented, ex.GetBaseException().Message);
        }
    }
}
