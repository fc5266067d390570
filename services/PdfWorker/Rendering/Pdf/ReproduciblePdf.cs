using System.Text;
using PdfSharp.Pdf;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Makes PDFsharp's output a function of the snapshot alone, so that re-rendering a snapshot (a redelivered
/// message, a cache check) gives byte-identical files. Left to itself PDFsharp writes the clock and new
/// Guids into every file (dates, trailer /ID, XMP ids, font subset tags); each is replaced here by a
/// value derived from the snapshot.
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
        RetagFontSubsets(document, snapshotId);
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        var bytes = stream.ToArray();
        ReplaceXmpIds(bytes, snapshotId);
        return bytes;
    }

    // An embedded font subset is named "ABCDEF+DejaVuSans", where PDFsharp draws the six-letter tag from a
    // new Guid. The tag only has to tell this file's subsets apart from other subsets of the same font,
    // which a tag taken from the snapshot id does. The name sits on the font, on its descriptor and, for
    // a Unicode font, on its CID font too.
    private static void RetagFontSubsets(PdfDocument document, Guid snapshotId)
    {
        var idBytes = snapshotId.ToByteArray();
        Span<char> tag = stackalloc char[6];
        for (var i = 0; i < tag.Length; i++)
            tag[i] = (char)('A' + idBytes[i] % 26);

        foreach (var item in document.Internals.GetAllObjects())
        {
            if (item is not PdfDictionary dictionary)
                continue;
            foreach (var key in (ReadOnlySpan<string>)["/BaseFont", "/FontName"])
            {
                var name = dictionary.Elements.GetName(key);
                // Names keep their slash: "/ABCDEF+DejaVuSans".
                if (name.Length > 8 && name[7] == '+')
                    dictionary.Elements.SetName(key, string.Concat("/", tag, name.AsSpan(7)));
            }
        }
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
