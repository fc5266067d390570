using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Sts.PdfWorker.Signing;

/// <summary>
/// Makes the signatures snapshot PDFs carry: CMS SignedData, detached, SHA-256, RSA with PKCS#1 v1.5 padding, with the
/// signer's certificate and the signed attributes PAdES baseline B-B asks for (content type, message digest and the
/// ESS signing-certificate-v2 that binds the certificate to the signature). No signing-time attribute: PAdES keeps the
/// time in the signature dictionary's /M. Every input is fixed by the snapshot, and RSA PKCS#1 v1.5 is deterministic,
/// so signing the same bytes again gives the same signature and a re-render stays byte-identical.
/// </summary>
public sealed class SnapshotSigner : IDisposable
{
    private static readonly Oid Sha256 = new("2.16.840.1.101.3.4.2.1", "sha256");
    private static readonly Oid SigningCertificateV2 = new("1.2.840.113549.1.9.16.2.47", "signingCertificateV2");

    private readonly X509Certificate2 _certificate;
    private readonly AsnEncodedData _essCertificate;

    public SnapshotSigner(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _essCertificate = new AsnEncodedData(SigningCertificateV2, EssCertificateV2(certificate));
        Name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        Fingerprint = Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
        // The size is the same for every input (the digest and an RSA signature have fixed lengths), so one signature tells it.
        SignatureBytes = Sign([0]).Length;
    }

    /// <summary>The certificate subject's common name, as the cover and PDF readers show it.</summary>
    public string Name { get; }

    /// <summary>Lower-case hex SHA-256 of the certificate: names it in the render cache key and the cover.</summary>
    public string Fingerprint { get; }

    /// <summary>The DER size of every signature this signer makes.</summary>
    public int SignatureBytes { get; }

    /// <summary>The detached CMS signature (DER) of <paramref name="signedBytes"/>.</summary>
    public byte[] Sign(byte[] signedBytes)
    {
        var cms = new SignedCms(new ContentInfo(signedBytes), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, _certificate)
        {
            DigestAlgorithm = Sha256,
            IncludeOption = X509IncludeOption.EndCertOnly,
            SignaturePadding = RSASignaturePadding.Pkcs1,
        };
        // With a signed attribute present, SignedCms adds content type and message digest itself.
        signer.SignedAttributes.Add(_essCertificate);
        cms.ComputeSignature(signer, silent: true);
        return cms.Encode();
    }

    public void Dispose() => _certificate.Dispose();

    /// <summary>SigningCertificateV2 (RFC 5035) naming the certificate by its SHA-256 (the default algorithm, so left out) and issuer and serial.</summary>
    private static byte[] EssCertificateV2(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteOctetString(certificate.GetCertHash(HashAlgorithmName.SHA256));
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4)))
                    writer.WriteEncodedValue(certificate.IssuerName.RawData);
                writer.WriteInteger(certificate.SerialNumberBytes.Span);
            }
        }
        return writer.Encode();
    }
}
