using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sts.PdfWorker.Signing;

namespace Sts.PdfWorker.Tests.Support;

/// <summary>
/// A signing certificate made for the test run, as production has one: an RSA-2048 certificate for signatures only,
/// issued by a certificate authority of its own (which an independent verifier such as pdfsig can be told to trust).
/// Usable as the worker's signer and as a PKCS#12 file for workers configured the way production ones are. Also linked
/// into SnapshotApi.Tests.
/// </summary>
public static class TestSigning
{
    public const string CommonName = "STS Snapshot Service (test)";
    public const string Password = "sts-test-password";

    private static readonly DateTimeOffset NotBefore = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    // Wide validity: the tests' snapshots carry fixed creation times.
    private static readonly DateTimeOffset NotAfter = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<(byte[] Pkcs12, string AuthorityPem)> Made = new(Create);

    private static readonly Lazy<string> File = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"sts-test-signing-{Environment.ProcessId}.pfx");
        System.IO.File.WriteAllBytes(path, Made.Value.Pkcs12);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.File.Delete(path);
        return path;
    });

    /// <summary>The issuing authority's certificate, PEM: what a verifier must trust for the signature's certificate to be trusted.</summary>
    public static string AuthorityPem => Made.Value.AuthorityPem;

    /// <summary>The PKCS#12 file, written once per test process.</summary>
    public static string CertificatePath => File.Value;

    /// <summary>Worker settings that sign with the test certificate.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["Signing:CertificatePath"] = CertificatePath,
        ["Signing:CertificatePassword"] = Password,
    };

    /// <summary>The certificate and its private key, a new instance each time (a signer disposes its own).</summary>
    public static X509Certificate2 Certificate() =>
        X509CertificateLoader.LoadPkcs12(Made.Value.Pkcs12, Password, X509KeyStorageFlags.EphemeralKeySet);

    public static SnapshotSigner Signer() => new(Certificate());

    private static (byte[] Pkcs12, string AuthorityPem) Create()
    {
        using var authorityKey = RSA.Create(2048);
        var authorityRequest = new CertificateRequest("CN=STS test signing authority, O=STS tests", authorityKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, critical: false));
        using var authority = authorityRequest.CreateSelfSigned(NotBefore, NotAfter);

        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={CommonName}, O=STS tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(authority, NotBefore, NotAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        return (withKey.Export(X509ContentType.Pkcs12, Password), authority.ExportCertificatePem());
    }
}
