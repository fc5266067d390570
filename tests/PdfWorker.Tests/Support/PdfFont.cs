namespace Sts.PdfWorker.Tests.Support;

/// <summary>One row of poppler's pdffonts: a font of the PDF and how it is embedded.</summary>
internal sealed record PdfFont(string Name, string Type, string Encoding, bool Embedded, bool Subset, bool ToUnicode)
{
    /// <summary>The font name without its six-letter subset tag: "ABCDEF+DejaVuSans" is "DejaVuSans".</summary>
    public string BaseName => Name.Length > 7 && Name[6] == '+' ? Name[7..] : Name;

    /// <summary>Every font pdffonts lists for <paramref name="pdf"/>.</summary>
    public static IReadOnlyList<PdfFont> List(byte[] pdf)
    {
        // name, type (may hold spaces), encoding, emb, sub, uni, object number, generation; after two header lines.
        return Poppler.Run("pdffonts", pdf, Poppler.Pdf)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(2)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => new PdfFont(f[0], string.Join(' ', f[1..^6]), f[^6], f[^5] == "yes", f[^4] == "yes", f[^3] == "yes"))
            .ToArray();
    }
}
