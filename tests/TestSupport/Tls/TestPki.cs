using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sts.Shared.Tls;

namespace Sts.Tests.Support;

/// <summary>
/// A private certificate authority made for one test (CertificateRequest, P-256), the certificates it issues, and PEM
/// files in a temporary folder laid out as a Kubernetes TLS secret mounts them. Nothing is ever written to the repository.
/// </summary>
public sealed class TestPki : IDisposable
{
    private static readonly Oid ServerAuth = new(CaBundle.ServerAuthentication);
    private static readonly Oid ClientAuth = new(CaBundle.ClientAuthentication);

    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestPki(string name)
    {
        Folder = Directory.CreateTempSubdirectory("sts-pki-").FullName;
        var request = new CertificateRequest($"CN={name}, O=STS Test", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CaFile = Path.Combine(Folder, "ca.crt");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
    }

    public string Folder { get; }

    public X509Certificate2 Ca { get; }

    /// <summary>The CA certificate in PEM (ca.crt).</summary>
    public string CaFile { get; }

    /// <summary>A server certificate for localhost and 127.0.0.1.</summary>
    public X509Certificate2 IssueServer(string name = "snapshot-api") => Issue($"CN={name}, O=STS Test", ServerAuth, san =>
    {
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
    });

    /// <summary>A client certificate with the given subject, such as "CN=sts-platform-sync, O=STS Test".</summary>
    public X509Certificate2 IssueClient(string subject) => Issue(subject, ClientAuth, _ => { });

    /// <summary>Writes a certificate and its key as PEM (tls.crt and tls.key under <paramref name="name"/>) and returns the two paths.</summary>
    public (string Certificate, string Key) Write(X509Certificate2 certificate, string name)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Folder, name)).FullName;
        var (certificateFile, keyFile) = (Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key"));
        File.WriteAllText(keyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        return (certificateFile, keyFile);
    }

    /// <summary>An HTTP/2 handler that trusts this CA alone and, if given, presents <paramref name="clientCertificate"/>.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = CaBundle.ChainPolicy([Ca], CaBundle.ServerAuthentication);
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        return handler;
    }

    public void Dispose()
    {
        _caKey.Dispose();
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    private X509Certificate2 Issue(string subject, Oid usage, Action<SubjectAlternativeNameBuilder> names)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        var built = san.Build();
        if (built.RawData.Length > 2) request.CertificateExtensions.Add(built);
        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }
}
