using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Sts.Shared.Tls;

namespace Sts.SnapshotApi.Tls;

/// <summary>What one read of the files gave: the server's certificate with its chain, and how client certificates are checked.</summary>
public sealed record TlsCredentialSet(X509Certificate2 Certificate, SslStreamCertificateContext Context, X509ChainPolicy? ClientPolicy, string FilesHash)
{
    /// <exception cref="InvalidOperationException">A file is missing, unreadable, or the key does not match the certificate.</exception>
    public static TlsCredentialSet Load(TlsOptions options)
    {
        var hash = HashOf(options);
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile);
            chain.ImportFromPemFile(options.CertificateFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Tls:CertificateFile '{options.CertificateFile}' with Tls:KeyFile '{options.KeyFile}' cannot be used: {ex.Message}", ex);
        }
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).ToList();
        if (usages.Count > 0 && !usages.Any(u => u.Value == CaBundle.ServerAuthentication))
            throw new InvalidOperationException($"Tls:CertificateFile '{options.CertificateFile}' ({certificate.Subject}) is not meant for servers (no serverAuth extended key usage).");
        var intermediates = new X509Certificate2Collection(chain.Where(c => c.Thumbprint != certificate.Thumbprint).ToArray());
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        var clientPolicy = options.MutualTls
            ? CaBundle.ChainPolicy(CaBundle.Load(options.ClientCaFile, "Tls:ClientCaFile"), CaBundle.ClientAuthentication)
            : null;
        return new TlsCredentialSet(certificate, context, clientPolicy, hash);
    }

    /// <summary>The files' contents in one hash: a change to any of them means a reload.</summary>
    public static string HashOf(TlsOptions options)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { options.CertificateFile, options.KeyFile, options.ClientCaFile }.Where(f => f.Length > 0))
        {
            try
            {
                sha.AppendData(File.ReadAllBytes(file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"unreadable {file}"));
            }
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}

/// <summary>
/// The gRPC endpoint's current TLS credentials. Each new connection gets what was read last, so a certificate renewed
/// on disk (a Kubernetes secret updated by cert-manager) is used without a restart; open connections keep theirs.
/// </summary>
public sealed partial class TlsCredentials
{
    private readonly TlsOptions _options;
    private readonly ILogger<TlsCredentials> _logger;
    private TlsCredentialSet _current;

    public TlsCredentials(IOptions<TlsOptions> options, ILogger<TlsCredentials> logger)
    {
        _options = options.Value;
        _logger = logger;
        _current = TlsCredentialSet.Load(_options);
        LogLoaded("loaded", _current.Certificate.Subject, _current.Certificate.Thumbprint, _current.Certificate.NotAfter, ClientCertificates());
    }

    public TlsCredentialSet Current => Volatile.Read(ref _current);

    /// <summary>Reads the files again if their contents changed; a pair that does not load (say, a new key before its certificate) leaves the old one in use.</summary>
    public void ReloadIfChanged()
    {
        if (TlsCredentialSet.HashOf(_options) == Current.FilesHash) return;
        try
        {
            var next = TlsCredentialSet.Load(_options);
            Volatile.Write(ref _current, next);
            LogLoaded("reloaded", next.Certificate.Subject, next.Certificate.Thumbprint, next.Certificate.NotAfter, ClientCertificates());
        }
        catch (InvalidOperationException ex)
        {
            LogReloadFailed(Current.Certificate.Thumbprint, ex.Message);
        }
    }

    /// <summary>The handshake settings of one new connection.</summary>
    public SslServerAuthenticationOptions ServerOptions()
    {
        var current = Current;
        var options = new SslServerAuthenticationOptions { ServerCertificateContext = current.Context };
        if (current.ClientPolicy is { } policy)
        {
            // The runtime checks the client's chain against our CA alone; refusing here fails the handshake itself.
            options.ClientCertificateRequired = true;
            options.CertificateChainPolicy = policy.Clone();
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificate is not null && errors == SslPolicyErrors.None;
        }
        return options;
    }

    private string ClientCertificates() => _options.MutualTls ? $"required, issued by {_options.ClientCaFile}" : "not requested";

    [LoggerMessage(LogLevel.Information, "gRPC TLS certificate {Action}: {Subject} ({Thumbprint}, valid until {NotAfter:u}); client certificates {ClientCertificates}")]
    private partial void LogLoaded(string action, string subject, string thumbprint, DateTime notAfter, string clientCertificates);

    [LoggerMessage(LogLevel.Warning, "gRPC TLS files changed but cannot be used yet; certificate {Thumbprint} stays in use: {Error}")]
    private partial void LogReloadFailed(string thumbprint, string error);
}
