using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sts.RenderBench;

/// <summary>A self-signed signing certificate made for one benchmark run, like the development one scripts/infra.sh makes.</summary>
internal static class BenchCertificate
{
    public static X509Certificate2 Create(int keyBits)
    {
        using var key = RSA.Create(keyBits);
        var request = new CertificateRequest("CN=STS Snapshot Service (benchmark)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        // Through PKCS#12, as the worker loads it, so that the key is usable the same way.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.EphemeralKeySet);
    }
}
