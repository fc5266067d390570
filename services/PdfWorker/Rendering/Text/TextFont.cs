using System.Text;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>A font set at one size: measures text for layout. Immutable, shared by every render.</summary>
/// <remarks>
/// The fast path draws glyphs at their advance widths without kerning, as PDFsharp did, so a string's width
/// is the sum of its characters' advances, two array lookups each.
/// </remarks>
internal sealed class TextFont(FontSet faces, double size)
{
    private readonly double _scale = size / faces.Primary.UnitsPerEm;

    public FontSet Faces { get; } = faces;

    /// <summary>Font size in points.</summary>
    public double Size { get; } = size;

    /// <summary>Distance from one line's top to the next.</summary>
    public double LineHeight => Faces.Primary.LineSpacing * _scale;

    /// <summary>Distance from a line's top to its baseline.</summary>
    public double Ascent => Faces.Primary.Ascender * _scale;

    public double Width(string text) => Width(text.AsSpan());

    public double Width(ReadOnlySpan<char> text)
    {
        var face = Faces.Primary;
        var units = 0L;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
            {
                units += face.Advance(face.GlyphOf(text[i]));
                continue;
            }
            Rune.DecodeFromUtf16(text[i..], out var rune, out var used);
            units += face.Advance(face.GlyphOf(rune.Value));
            i += used - 1;
        }
        return units * _scale;
    }

    public double Width(Rune rune) => Faces.Primary.Advance(Faces.Primary.GlyphOf(rune.Value)) * _scale;
}
