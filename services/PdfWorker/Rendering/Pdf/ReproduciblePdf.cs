using System.Text;
using PdfSharp.Pdf;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Makes PDFsharp's output a function of the snapshot alone, so that re-rendering a snapshot (a redelivered
/// message, a cache check) gives byte-identical files. Left to itself PDFsharp writes the clock and new
/// Guids into every file (dates, trailer /ID, XMP ids); each is replaced here by a value derived from the
/// snapshot. Fonts are embedded by <see cref="EmbeddedFont"/>, whose subset names come from the subsets' bytes.
/// </summary>
internal static class ReproduciblePdf
{
    private static readonly byte[][] XmpIdTags = ["<xmpMM:DocumentID>uuid:"u8.ToArray(), "<xmpMM:InstanceID>uuid:"u8.ToArray()];

    /// <summary>A new document whose dates and file identifier come from the snapshot instead of the clock and Guid.NewGuid.</summary>
    public static PdfDocument NewDocument(Guid snapshotId, DateTimeOffset createdAt)
    {
        var document = new PdfDocument();
        document.Info.CreationDate = createdAt.UtcDateTime;
        document.Info.ModificationDate = createdAt.UtcDateTime;
        // The trailer /ID is two 16-byte strings; PDFsharp starts them as a random Guid's bytes.
        var fileId = Encoding.Latin1.GetString(snapshotId.ToByteArray());
        document.Internals.FirstDocumentID = fileId;
        document.Internals.SecondDocumentID = fileId;
        return document;
    }

    /// <summary>Saves <paramref name="document"/>, replacing the random parts PDFsharp adds while saving.</summary>
    public static byte[] Save(PdfDocument document, Guid snapshotId)
    {
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        var bytes = stream.ToArray();
        ReplaceXmpIds(bytes, snapshotId);
        return bytes;
    }

    // PDFsharp writes its XMP metadata stream during Save, uncompressed, with a new Guid for each of
    // xmpMM:DocumentID and xmpMM:InstanceID. Both become the snapshot id, written over the random one in
    // place: same length, so no offset in the file moves.
    private static void ReplaceXmpIds(byte[] pdf, Guid snapshotId)
    {
        var id = Encoding.ASCII.GetBytes(snapshotId.ToString("D"));
        foreach (var tag in XmpIdTags)
        {
            var at = pdf.AsSpan().LastIndexOf(tag);
            if (at < 0 || !LooksLikeUuid(pdf.AsSpan(at + tag.Length)))
                throw new InvalidOperationException(
                    "PDFsharp's XMP metadata no longer has the layout ReproduciblePdf expects; PDFs would not be reproducible.");
            id.CopyTo(pdf, at + tag.Length);
        }
    }

    private static bool LooksLikeUuid(ReadOnlySpan<byte> text) =>
        text.Length > 36 && text[8] == '-' && text[13] == '-' && text[18] == '-' && text[23] == '-' && text[36] == '<';
}
