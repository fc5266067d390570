using PdfSharp.Pdf;
using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// The fonts one document uses. Every page's resources point at one shared font dictionary, filled in by
/// <see cref="Write"/> once all text is drawn and the subsets are known.
/// </summary>
internal sealed class DocumentFonts
{
    private readonly PdfDocument _document;
    private readonly List<EmbeddedFont> _fonts = [];
    private readonly PdfDictionary _resources;

    public DocumentFonts(PdfDocument document)
    {
        _document = document;
        _resources = new PdfDictionary(document);
        document.Internals.AddObject(_resources);
    }

    /// <summary>Characters drawn so far as a replacement glyph because no bundled font has them.</summary>
    public int Missing { get; set; }

    /// <summary>The /Font resource dictionary every page refers to.</summary>
    public PdfDictionary Resources => _resources;

    public EmbeddedFont For(FontFace face)
    {
        // A report uses a handful of faces: a list beats a dictionary here.
        foreach (var font in _fonts)
        {
            if (ReferenceEquals(font.Face, face))
                return font;
        }
        var added = new EmbeddedFont(face, $"/F{_fonts.Count + 1}");
        _fonts.Add(added);
        return added;
    }

    /// <summary>Writes every font's objects and lists them in the shared resource dictionary.</summary>
    public void Write()
    {
        foreach (var font in _fonts)
            _resources.Elements.SetReference(font.ResourceName, font.Write(_document));
    }
}
