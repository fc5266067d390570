using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sts.Shared.Tls;

/// <summary>
/// A PEM file of certificate authorities trusted in place of the system store: the platform's private CA for the
/// API's certificate (CLI --ca), for client certificates (API Tls:ClientCaFile), and for RabbitMQ (RabbitMq:CaFile).
/// </summary>
public static class CaBundle
{
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <exception cref="InvalidOperationException">The file is missing, unreadable or holds no certificate.</exception>
    public static X509Certificate2Collection Load(string pemFile, string setting)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(pemFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"{setting} '{pemFile}' cannot be read: {ex.Message}", ex);
        }
        if (roots.Count == 0) throw new InvalidOperationException($"{setting} '{pemFile}' holds no PEM certificate.");
        return roots;
    }

    /// <summary>Chains must end at one of <paramref name="roots"/> and allow <paramref name="purpose"/>. No revocation check (offline CAs issue short-lived certificates).</summary>
    public static X509ChainPolicy ChainPolicy(X509Certificate2Collection roots, string purpose)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(roots);
        policy.ApplicationPolicy.Add(new Oid(purpose));
        return policy;
    }

    /// <summary>
    /// For clients that take only a validation callback (RabbitMQ.Client): the server's name must match its certificate
    /// (the platform's own check), and its chain must end at one of <paramref name="roots"/>.
    /// </summary>
    public static RemoteCertificateValidationCallback ServerValidation(X509Certificate2Collection roots) => (_, certificate, presented, errors) =>
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain { ChainPolicy = ChainPolicy(roots, ServerAuthentication) };
        // Intermediates the server sent along with its certificate.
        if (presented is not null)
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainElements.Select(e => e.Certificate).ToArray());
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    };
}
