using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sts.Shared.Tls;

namespace Sts.Cli;

/// <summary>TLS settings for an https:// API: the CA to trust instead of the system store (--ca), and a client certificate for mutual TLS (--cert, --key).</summary>
public sealed record ClientTls(string? CaFile, string? CertificateFile, string? KeyFile)
{
    public bool IsEmpty => CaFile is null && CertificateFile is null && KeyFile is null;

    /// <summary>
    /// Checks the options against the address and reads the files, so that mistakes show before any call. Null without
    /// options: gRPC's own handler then serves, system trust store included.
    /// </summary>
    public SocketsHttpHandler? CreateHandler(Uri address)
    {
        if (IsEmpty) return null;
        if (address.Scheme != Uri.UriSchemeHttps)
            throw new CliException($"--ca, --cert and --key are for https:// addresses; {address} is plaintext.", ExitCodes.InvalidArguments);
        if ((CertificateFile is null) != (KeyFile is null))
            throw new CliException("--cert and --key go together: the client certificate and its private key.", ExitCodes.InvalidArguments);
        var handler = new SocketsHttpHandler();
        if (CaFile is not null)
            handler.SslOptions.CertificateChainPolicy = CaBundle.ChainPolicy(Read(() => CaBundle.Load(CaFile, "--ca")), CaBundle.ServerAuthentication);
        if (CertificateFile is not null)
        {
            var certificate = Read(() => X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile));
            handler.SslOptions.ClientCertificates = [certificate];
            // Offer it whatever authorities the server names; the server decides.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }
        return handler;
    }

    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is InvalidOperationException or CryptographicException or IOException or ArgumentException)
        {
            throw new CliException(ex.Message, ExitCodes.InvalidArguments);
        }
    }
}
