using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using System.Text.RegularExpressions;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Pdf;

namespace Sts.PdfWorker.Tests.Rendering;

/// <summary>
/// Signed PDFs: pdfsig (poppler, an independent verifier) accepts them as PAdES signatures over the whole file and
/// rejects a file with one byte changed; the CMS carries what PAdES B-B asks for; re-renders give the same bytes; the
/// file's claim and cover say what it is.
/// </summary>
public sealed partial class PdfSigningTests : IDisposable
{
    private readonly Sts.PdfWorker.Signing.SnapshotSigner _signer = TestSigning.Signer();

    public void Dispose() => _signer.Dispose();

    [Theory]
    [InlineData("small")]
    [InlineData("medium")]
    [InlineData("large")]
    public void Pdfsig_accepts_a_signed_snapshot_of_each_fixture(string fixture)
    {
        var room = Snapshots.Fixture(fixture);
        var pdf = new PdfRenderer(signer: _signer).Render(Snapshots.For(room, "pdf"), room).Content;

        var (exitCode, report) = Poppler.Pdfsig(pdf);

        Assert.True(exitCode == 0, report);
        Assert.Contains("Signature Validation: Signature is Valid.", report, StringComparison.Ordinal);
        Assert.Contains("Signature Type: ETSI.CAdES.detached", report, StringComparison.Ordinal);
        Assert.Contains("Total document signed", report, StringComparison.Ordinal);
        Assert.Contains($"Signer Certificate Common Name: {TestSigning.CommonName}", report, StringComparison.Ordinal);
        Assert.Contains("Signing Hash Algorithm: SHA-256", report, StringComparison.Ordinal);
        var check = SnapshotPdf.CheckSignature(pdf);
        Assert.True(check.Valid && check.CoversWholeFile, check.Detail);
        Assert.Equal(_signer.Fingerprint, check.CertificateSha256);
    }

    [Fact]
    public void Pdfsig_told_to_trust_the_issuing_authority_trusts_the_signers_certificate()
    {
        var room = Snapshots.Small();
        var pdf = new PdfRenderer(signer: _signer).Render(Snapshots.For(room, "pdf"), room).Content;

        var report = Poppler.PdfsigTrusting(pdf, TestSigning.AuthorityPem);

        Assert.Contains("Signature Validation: Signature is Valid.", report, StringComparison.Ordinal);
        Assert.Contains("Certificate Validation: Certificate is Trusted.", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pdf_with_one_byte_changed_fails_pdfsig_and_its_own_signature_check()
    {
        var room = Snapshots.Fixture("medium");
        var pdf = new PdfRenderer(signer: _signer).Render(Snapshots.For(room, "pdf"), room).Content;
        var range = ByteRange(pdf);
        // A byte in the middle of the first signed range, inside page content: the file still parses.
        var tampered = pdf.ToArray();
        tampered[range[1] / 2] ^= 0x01;

        var (_, report) = Poppler.Pdfsig(tampered);

        Assert.DoesNotContain("Signature is Valid", report, StringComparison.Ordinal);
        Assert.Matches("Signature Validation: (Digest Mismatch|Signature is Invalid)", report);
        var check = SnapshotPdf.CheckSignature(tampered);
        Assert.True(check.Present);
        Assert.False(check.Valid, check.Detail);
        Assert.True(SnapshotPdf.CheckSignature(pdf).Valid);
    }

    [Fact]
    public void Re_rendering_a_snapshot_gives_the_same_bytes_even_with_a_new_signer_instance()
    {
        var room = Snapshots.Fixture("medium");
        var message = Snapshots.For(room, "pdf");
        using var other = TestSigning.Signer();

        var first = new PdfRenderer(signer: _signer).Render(message, room).Content;
        var second = new PdfRenderer(signer: other).Render(message, room).Content;

        Assert.Equal(SHA256.HashData(first), SHA256.HashData(second));
    }

    [Fact]
    public void Signature_is_pades_baseline_b_with_the_signing_certificate_bound_and_no_signing_time_attribute()
    {
        var room = Snapshots.Small();
        var pdf = new PdfRenderer(signer: _signer).Render(Snapshots.For(room, "pdf"), room).Content;
        var r = ByteRange(pdf);
        var hex = Encoding.ASCII.GetString(pdf, r[1] + 1, r[2] - r[1] - 2);
        var der = Convert.FromHexString(hex);
        AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.BER, out _, out _, out var length);
        var cms = new SignedCms();
        cms.Decode(der.AsSpan(0, length));

        var signer = Assert.Single(cms.SignerInfos.Cast<SignerInfo>());
        Assert.Equal("2.16.840.1.101.3.4.2.1", signer.DigestAlgorithm.Value);
        var attributes = signer.SignedAttributes.Cast<CryptographicAttributeObject>().Select(a => a.Oid.Value).ToList();
        Assert.Contains("1.2.840.113549.1.9.3", attributes);        // content type
        Assert.Contains("1.2.840.113549.1.9.4", attributes);        // message digest
        Assert.Contains("1.2.840.113549.1.9.16.2.47", attributes);  // ESS signing-certificate-v2
        Assert.DoesNotContain("1.2.840.113549.1.9.5", attributes);  // signing time: PAdES keeps it in /M
        var essCertificate = signer.SignedAttributes.Cast<CryptographicAttributeObject>().Single(a => a.Oid.Value == "1.2.840.113549.1.9.16.2.47").Values[0].RawData;
        Assert.True(essCertificate.AsSpan().IndexOf(Convert.FromHexString(_signer.Fingerprint)) >= 0, "the ESS attribute does not name the signer's certificate");
        Assert.Equal(_signer.Fingerprint, Convert.ToHexStringLower(signer.Certificate!.GetCertHash(HashAlgorithmName.SHA256)));
        Assert.Equal("ETSI.CAdES.detached", SnapshotPdf.CheckSignature(pdf).SubFilter);
        // The signing time is the snapshot's creation time, not the clock's.
        Assert.Equal("D:20261120140307+00'00'", SnapshotPdf.CheckSignature(pdf).SigningTime);
    }

    [Fact]
    public void Claim_and_cover_say_which_snapshot_the_file_is_and_that_it_is_signed()
    {
        var room = Snapshots.Small();
        var message = Snapshots.For(room, "pdf");
        var pdf = new PdfRenderer(signer: _signer).Render(message, room).Content;

        var claim = SnapshotPdf.ReadClaim(pdf);
        Assert.Equal(new PdfClaim(message.SnapshotId.ToString("D"), room.Id, room.Version.ToString(CultureInfo.InvariantCulture), message.ContentHash), claim);
        var text = PdfText.Extract(pdf);
        Assert.Contains(message.SnapshotId.ToString("D"), text, StringComparison.Ordinal);
        Assert.Contains(message.ContentHash, text, StringComparison.Ordinal);
        Assert.Contains($"This file is signed by {TestSigning.CommonName}", text, StringComparison.Ordinal);
        var info = Poppler.Run("pdfinfo", pdf, "-custom", Poppler.Pdf);
        Assert.Contains(message.ContentHash, info, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_signer_the_file_is_unsigned_and_says_so()
    {
        var room = Snapshots.Small();
        var pdf = new PdfRenderer().Render(Snapshots.For(room, "pdf"), room).Content;

        Assert.False(SnapshotPdf.CheckSignature(pdf).Present);
        Assert.Contains("Not signed", PdfText.Extract(pdf), StringComparison.Ordinal);
        Assert.NotNull(SnapshotPdf.ReadClaim(pdf));
    }

    private static int[] ByteRange(byte[] pdf)
    {
        var match = ByteRangePattern().Match(Encoding.Latin1.GetString(pdf));
        Assert.True(match.Success, "the file has no /ByteRange");
        return [.. match.Groups.Cast<Group>().Skip(1).Select(g => int.Parse(g.Value, CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex(@"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")]
    private static partial Regex ByteRangePattern();
}
