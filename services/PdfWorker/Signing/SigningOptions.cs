namespace Sts.PdfWorker.Signing;

/// <summary>
/// The certificate the worker signs PDFs with; bound from the "Signing" section and checked at start-up (the certificate
/// is loaded then, so a missing file, a wrong password or an unusable key stops the worker before it takes a message).
/// </summary>
public sealed class SigningOptions
{
    public const string Section = "Signing";

    /// <summary>Sign every PDF. On by default: a worker with no certificate refuses to start unless this is false.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A PKCS#12 file (.pfx, .p12) holding the certificate and its private key, or a PEM certificate whose key is in
    /// <see cref="KeyPath"/> (a Kubernetes TLS secret mounted as files: tls.crt and tls.key).
    /// </summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>The PEM private key of a PEM certificate; empty for a PKCS#12 file.</summary>
    public string KeyPath { get; set; } = "";

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key; empty for none.</summary>
    public string CertificatePassword { get; set; } = "";
}
