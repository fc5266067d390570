using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using PdfSharp.Pdf.IO;
using PdfSharp.Pdf.Signatures;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;

namespace Sts.PdfWorker.Tests.Rendering;

/// <summary>
/// The pinned PDFsharp (6.2.4, MIT) was chosen over 6.5.0 on the understanding that it can sign PDFs, which
/// issue 16 needs: this signs one of our snapshots with its own API and checks the signature over the signed bytes.
/// </summary>
public sealed partial class PdfSharpSigningTests
{
    [Fact]
    public void Pinned_pdfsharp_signs_a_rendered_snapshot_with_a_verifiable_cms_signature()
    {
        var room = Snapshots.Small();
        var pdf = new PdfRenderer().Render(Snapshots.For(room, "pdf"), room).Content;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=STS Snapshot Service test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));

        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Modify);
        DigitalSignatureHandler.ForDocument(document, new PdfSharpDefaultSigner(certificate, PdfMessageDigestType.SHA256),
            new DigitalSignatureOptions { Reason = "Snapshot seal", PageIndex = 0 });
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        var signed = output.ToArray();

        var text = Encoding.Latin1.GetString(signed);
        var range = ByteRange().Match(text);
        Assert.True(range.Success, "the signed file has no /ByteRange");
        var r = range.Groups.Cast<Group>().Skip(1).Select(g => int.Parse(g.Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(signed.Length, r[2] + r[3]);
        // /Contents is the hex between the two ranges, zero-padded to the size PDFsharp reserved.
        var signature = Convert.FromHexString(text[(r[0] + r[1] + 1)..(r[2] - 1)]);
        var cms = Verify(signed, r, signature);
        Assert.Equal(certificate.Thumbprint, cms.SignerInfos[0].Certificate!.Thumbprint);

        signed[r[2] + r[3] / 2] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Verify(signed, r, signature));
    }

    private static SignedCms Verify(byte[] file, int[] range, byte[] signature)
    {
        var covered = file.AsSpan(range[0], range[1]).ToArray().Concat(file.AsSpan(range[2], range[3]).ToArray()).ToArray();
        var cms = new SignedCms(new ContentInfo(covered), detached: true);
        cms.Decode(signature);
        cms.CheckSignature(verifySignatureOnly: true);
        return cms;
    }

    [GeneratedRegex(@"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")]
    private static partial Regex ByteRange();
}
