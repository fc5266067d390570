using System.Globalization;
using System.Text;
using PdfSharp.Pdf;
using Sts.PdfWorker.Signing;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// A PDF's signature, laid out as PDFsharp's own DigitalSignatureHandler does it (a signature field on the first page, a
/// signature dictionary whose /ByteRange and /Contents are placeholders until the file is saved, then filled in place),
/// but with two things that handler fixes and we need otherwise: /SubFilter /ETSI.CAdES.detached (PAdES) instead of
/// /adbe.pkcs7.detached, and /M from the snapshot instead of the clock, so that the bytes remain a function of the
/// snapshot. The field is invisible (a zero rectangle, no appearance), so nothing needs PDFsharp's own fonts: the cover
/// says in the report's fonts that the file is signed.
/// </summary>
internal sealed class SignatureSlot
{
    // Wide enough for offsets of files up to 9,999,999,999 bytes; filled in with the real numbers and padded with spaces.
    private const string ByteRangePlaceholder = "[0 0000000000 0000000000 0000000000]";

    private readonly PdfDictionary _signature;
    private readonly SnapshotSigner _signer;

    private SignatureSlot(PdfDictionary signature, SnapshotSigner signer)
    {
        _signature = signature;
        _signer = signer;
    }

    /// <summary>Adds the signature field and its placeholders to <paramref name="document"/>; call before saving it.</summary>
    public static SignatureSlot Add(PdfDocument document, SnapshotSigner signer, DateTimeOffset signingTime, string reason)
    {
        var signature = new PdfDictionary(document);
        signature.Elements["/Type"] = new PdfName("/Sig");
        signature.Elements["/Filter"] = new PdfName("/Adobe.PPKLite");
        signature.Elements["/SubFilter"] = new PdfName("/ETSI.CAdES.detached");
        signature.Elements["/ByteRange"] = new PdfLiteral(ByteRangePlaceholder);
        signature.Elements["/Contents"] = new PdfLiteral("<" + new string('0', 2 * signer.SignatureBytes) + ">");
        signature.Elements.SetString("/M", "D:" + signingTime.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+00'00'");
        signature.Elements.SetString("/Name", signer.Name);
        signature.Elements.SetString("/Reason", reason);
        document.Internals.AddObject(signature);

        var page = document.Pages[0];
        var field = new PdfDictionary(document);
        field.Elements["/Type"] = new PdfName("/Annot");
        field.Elements["/Subtype"] = new PdfName("/Widget");
        field.Elements["/FT"] = new PdfName("/Sig");
        field.Elements.SetString("/T", "Snapshot signature");
        field.Elements.SetReference("/V", signature);
        // Print and Locked; a zero rectangle makes the signature invisible.
        field.Elements.SetInteger("/F", 132);
        field.Elements["/Rect"] = new PdfLiteral("[0 0 0 0]");
        field.Elements.SetReference("/P", page);
        document.Internals.AddObject(field);

        if (page.Elements.GetArray("/Annots") is { } annotations)
            annotations.Elements.Add(field.Reference!);
        else
            page.Elements["/Annots"] = new PdfArray(document, field.Reference!);
        var form = new PdfDictionary(document);
        form.Elements["/Fields"] = new PdfArray(document, field.Reference!);
        // SignaturesExist | AppendOnly: viewers keep later changes as incremental updates, outside the signed bytes.
        form.Elements.SetInteger("/SigFlags", 3);
        document.Internals.Catalog.Elements["/AcroForm"] = form;
        return new SignatureSlot(signature, signer);
    }

    /// <summary>Fills the placeholders of the saved file in place: the byte range, then the signature of those bytes.</summary>
    public void Fill(byte[] pdf)
    {
        var start = checked((int)_signature.Reference!.Position);
        var span = pdf.AsSpan(start);
        var end = span.IndexOf("endobj"u8);
        var range = end < 0 ? -1 : span[..end].IndexOf(Encoding.ASCII.GetBytes(ByteRangePlaceholder));
        var contentsKey = end < 0 ? -1 : span[..end].IndexOf("/Contents"u8);
        if (range < 0 || contentsKey < 0)
            throw new InvalidOperationException("The saved PDF does not hold the signature placeholders where they were written.");
        var contentsStart = start + contentsKey + span[contentsKey..].IndexOf((byte)'<');
        var contentsEnd = contentsStart + 2 + 2 * _signer.SignatureBytes;

        var byteRange = string.Create(CultureInfo.InvariantCulture, $"[0 {contentsStart} {contentsEnd} {pdf.Length - contentsEnd}]")
            .PadRight(ByteRangePlaceholder.Length);
        Encoding.ASCII.GetBytes(byteRange, pdf.AsSpan(start + range));

        var signed = new byte[contentsStart + pdf.Length - contentsEnd];
        pdf.AsSpan(0, contentsStart).CopyTo(signed);
        pdf.AsSpan(contentsEnd).CopyTo(signed.AsSpan(contentsStart));
        var signature = _signer.Sign(signed);
        if (signature.Length > _signer.SignatureBytes)
            throw new InvalidOperationException($"The signature has {signature.Length} bytes, more than the {_signer.SignatureBytes} reserved for it.");
        Encoding.ASCII.GetBytes(Convert.ToHexString(signature), pdf.AsSpan(contentsStart + 1));
    }
}
