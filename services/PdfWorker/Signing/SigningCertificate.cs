using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sts.PdfWorker.Signing;

/// <summary>Loads the signing certificate and its key from <see cref="SigningOptions"/>, refusing one that cannot sign as we need.</summary>
internal static class SigningCertificate
{
    /// <summary>The certificate with its private key; <see cref="InvalidOperationException"/> saying what is wrong otherwise.</summary>
    public static X509Certificate2 Load(SigningOptions options, DateTimeOffset now)
    {
        if (options.CertificatePath.Length == 0)
            throw Unusable("Signing:CertificatePath is not set. PDFs are signed by default: give the worker a certificate (a PKCS#12 file, " +
                "or a PEM certificate with Signing:KeyPath) or set Signing:Enabled to false");
        foreach (var path in new[] { options.CertificatePath, options.KeyPath }.Where(p => p.Length > 0))
        {
            if (!File.Exists(path)) throw Unusable($"Signing: {path} does not exist");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = options.KeyPath.Length == 0
                ? X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet)
                : options.CertificatePassword.Length == 0
                    ? X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(options.CertificatePath, options.CertificatePassword, options.KeyPath);
        }
        catch (CryptographicException ex)
        {
            throw Unusable($"Signing: the certificate {options.CertificatePath} cannot be loaded ({ex.Message}); is Signing:CertificatePassword right?");
        }

        var problem = Problem(certificate, now);
        if (problem is null) return certificate;
        certificate.Dispose();
        throw Unusable($"Signing: the certificate in {options.CertificatePath} {problem}");
    }

    private static string? Problem(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (!certificate.HasPrivateKey)
            return "comes without its private key";
        using (var rsa = certificate.GetRSAPrivateKey())
        {
            // RSA with PKCS#1 v1.5 padding signs deterministically, so a re-render of a snapshot gives the same bytes;
            // ECDSA signatures are random.
            if (rsa is null) return "does not have an RSA key (PDFs are signed with RSA, PKCS#1 v1.5)";
            if (rsa.KeySize < 2048) return $"has a {rsa.KeySize}-bit RSA key; at least 2048 bits are needed";
        }
        if (now < certificate.NotBefore || now > certificate.NotAfter)
            return $"is valid from {certificate.NotBefore:O} to {certificate.NotAfter:O}, not now";
        if (certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage
            && (usage.KeyUsages & (X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation)) == 0)
            return $"may not be used for signatures (key usage {usage.KeyUsages})";
        return null;
    }

    private static InvalidOperationException Unusable(string message) => new(message + ".");
}
