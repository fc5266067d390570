using System.ComponentModel.DataAnnotations;

namespace Sts.SnapshotApi.Tls;

/// <summary>
/// TLS on the gRPC endpoint (Kestrel:Endpoints:Grpc, which must then be https://); bound from the "Tls" section.
/// The files are PEM, as a Kubernetes TLS secret mounts them (tls.crt, tls.key, ca.crt), and are read again when they change.
/// </summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    /// <summary>The server certificate, then any intermediates.</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>Its private key (PKCS#8, PKCS#1 or SEC1), unencrypted.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>Authorities whose client certificates are accepted. Setting it turns on mutual TLS: a connection without a trusted client certificate fails its handshake.</summary>
    public string ClientCaFile { get; set; } = "";

    /// <summary>How often the files are checked for a change.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Client certificates that authenticate a caller by themselves, on a call without a bearer token.</summary>
    public List<ClientPrincipalOptions> ClientPrincipals { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificateFile) || !string.IsNullOrWhiteSpace(KeyFile);

    public bool MutualTls => !string.IsNullOrWhiteSpace(ClientCaFile);
}

/// <summary>A service principal known by its client certificate's subject, and what it may do.</summary>
public sealed class ClientPrincipalOptions
{
    /// <summary>The certificate's subject, most specific part first: "CN=sts-platform-sync, O=Platform" (openssl x509 -noout -subject -nameopt RFC2253).</summary>
    public string Subject { get; set; } = "";

    /// <summary>Who the caller is (an email, as room parties are named).</summary>
    public string Identity { get; set; } = "";

    /// <summary>May write rooms (the rooms:write scope).</summary>
    public bool RoomsWrite { get; set; }

    /// <summary>A platform admin, who may act on every room.</summary>
    public bool Admin { get; set; }
}
