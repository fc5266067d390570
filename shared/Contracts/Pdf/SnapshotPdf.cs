using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Sts.Shared.Pdf;

/// <summary>
/// What a snapshot PDF says about itself, read from its bytes alone: the claim the worker writes into its document
/// information (snapshot id, room, room version, content hash) and its own signature, checked over the bytes it covers.
/// The worker writes the claim with these keys; `sts verify` and the tests read it back. A reader for the files this
/// service writes (PDFsharp's uncompressed dictionaries), not for any PDF: the last claim and signature in the file count.
/// </summary>
public static partial class SnapshotPdf
{
    public const string SnapshotIdKey = "/StsSnapshotId";
    public const string RoomIdKey = "/StsRoomId";
    public const string RoomVersionKey = "/StsRoomVersion";
    public const string ContentHashKey = "/StsContentHash";

    /// <summary>The claim in the file's document information; null when it carries none.</summary>
    public static PdfClaim? ReadClaim(byte[] pdf)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var id = Last(text, SnapshotIdKey);
        if (id is null) return null;
        return new PdfClaim(id, Last(text, RoomIdKey) ?? "", Last(text, RoomVersionKey) ?? "", Last(text, ContentHashKey) ?? "");
    }

    /// <summary>Checks the file's (last) signature against the bytes its /ByteRange names.</summary>
    public static PdfSignatureCheck CheckSignature(byte[] pdf)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var ranges = ByteRange().Matches(text);
        if (ranges.Count == 0) return PdfSignatureCheck.None;
        var r = ranges[^1].Groups.Cast<Group>().Skip(1).Select(g => long.Parse(g.Value, CultureInfo.InvariantCulture)).ToArray();
        var subFilter = SubFilter().Matches(text) is { Count: > 0 } filters ? filters[^1].Groups[1].Value : "";
        var signingTime = SigningTime().Matches(text) is { Count: > 0 } times ? times[^1].Groups[1].Value : "";
        var coversWholeFile = r[0] == 0 && r[2] + r[3] == pdf.Length;
        if (r[0] != 0 || r[1] <= 0 || r[2] <= r[1] + 1 || r[3] < 0 || r[2] + r[3] > pdf.Length || pdf[r[1]] != '<' || pdf[r[2] - 1] != '>')
            return new PdfSignatureCheck(true, false, "its /ByteRange does not frame a signature in this file", subFilter, signingTime, coversWholeFile, null, null, null);

        byte[] der;
        try
        {
            var hex = Convert.FromHexString(text.AsSpan((int)r[1] + 1, (int)(r[2] - r[1] - 2)));
            // The reserved space is padded with zeros after the DER signature.
            AsnDecoder.ReadEncodedValue(hex, AsnEncodingRules.BER, out _, out _, out var length);
            der = hex[..length];
        }
        catch (Exception ex) when (ex is FormatException or AsnContentException)
        {
            return new PdfSignatureCheck(true, false, $"its /Contents is not a signature ({ex.Message})", subFilter, signingTime, coversWholeFile, null, null, null);
        }
        var signed = new byte[r[1] + r[3]];
        pdf.AsSpan(0, (int)r[1]).CopyTo(signed);
        pdf.AsSpan((int)r[2], (int)r[3]).CopyTo(signed.AsSpan((int)r[1]));
        var cms = new SignedCms(new ContentInfo(signed), detached: true);
        try
        {
            cms.Decode(der);
        }
        catch (CryptographicException ex)
        {
            return new PdfSignatureCheck(true, false, $"its signature cannot be decoded ({ex.Message})", subFilter, signingTime, coversWholeFile, null, null, null);
        }
        var certificate = cms.SignerInfos.Count > 0 ? cms.SignerInfos[0].Certificate : null;
        var signer = certificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var fingerprint = certificate is null ? null : Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
        var certificateDer = certificate?.RawData;
        try
        {
            cms.CheckSignature(verifySignatureOnly: true);
        }
        catch (CryptographicException ex)
        {
            return new PdfSignatureCheck(true, false, $"the signature does not match the signed bytes: they were changed after signing ({ex.Message})",
                subFilter, signingTime, coversWholeFile, signer, fingerprint, certificateDer);
        }
        return new PdfSignatureCheck(true, true,
            coversWholeFile ? "the signature matches, and it covers the whole file" : "the signature matches, but bytes were appended after it (an incremental update it does not cover)",
            subFilter, signingTime, coversWholeFile, signer, fingerprint, certificateDer);
    }

    /// <summary>The value of the last literal string under <paramref name="key"/>.</summary>
    private static string? Last(string text, string key)
    {
        var matches = Regex.Matches(text, Regex.Escape(key) + @"\s*\(([^()\\]*)\)", RegexOptions.CultureInvariant);
        return matches.Count == 0 ? null : matches[^1].Groups[1].Value;
    }

    [GeneratedRegex(@"/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]")]
    private static partial Regex ByteRange();

    [GeneratedRegex(@"/SubFilter\s*/([A-Za-z0-9.#_-]+)")]
    private static partial Regex SubFilter();

    [GeneratedRegex(@"/M\s*\((D:[0-9+\-Z']+)\)")]
    private static partial Regex SigningTime();
}

/// <summary>What a snapshot PDF claims to be, in its own words.</summary>
public sealed record PdfClaim(string SnapshotId, string RoomId, string RoomVersion, string ContentHash);

/// <summary>The outcome of checking a PDF's own signature.</summary>
/// <param name="Present">The file has a signature at all.</param>
/// <param name="Valid">The signature matches the bytes it covers.</param>
/// <param name="Detail">Why it is valid or not, in words.</param>
/// <param name="SubFilter">The signature format: ETSI.CAdES.detached for PAdES.</param>
/// <param name="SigningTime">The signature dictionary's /M, as written.</param>
/// <param name="CoversWholeFile">Nothing was appended after signing.</param>
/// <param name="Signer">The signer certificate's common name.</param>
/// <param name="CertificateSha256">Lower-case hex SHA-256 of the signer's certificate.</param>
/// <param name="Certificate">The signer's certificate (DER), to check against a trusted authority.</param>
public sealed record PdfSignatureCheck(
    bool Present, bool Valid, string Detail, string SubFilter, string SigningTime, bool CoversWholeFile, string? Signer, string? CertificateSha256,
    byte[]? Certificate)
{
    public static readonly PdfSignatureCheck None = new(false, false, "the file has no signature", "", "", false, null, null, null);
}
