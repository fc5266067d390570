using PdfSharp.Pdf;
using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Draws one page: filled rectangles, rules and text, written straight into the page's content stream.
/// Positions are in points from the page's top-left corner, y growing downwards, as the report lays out.
/// </summary>
internal sealed class PageCanvas
{
    // A quarter circle as a cubic Bézier: control points at this fraction of the radius.
    private const double Kappa = 0.5522847498;

    private readonly PdfPage _page;
    private readonly DocumentFonts _fonts;
    private readonly double _height;
    private readonly ContentStream _content = new();
    private Rgb? _fill;
    private Rgb? _stroke;
    private double _lineWidth = 1;

    public PageCanvas(PdfPage page, DocumentFonts fonts)
    {
        _page = page;
        _fonts = fonts;
        _height = page.Height.Point;
    }

    public void FillRectangle(Rgb colour, double x, double y, double width, double height)
    {
        Fill(colour);
        _content.Number(x).Number(_height - y - height).Number(width).Number(height).Raw("re f\n"u8);
    }

    public void FillRoundedRectangle(Rgb colour, double x, double y, double width, double height, double radius)
    {
        Fill(colour);
        double left = x, right = x + width, top = _height - y, bottom = _height - y - height, k = radius * Kappa;
        _content.Point(left + radius, top).Raw("m "u8);
        _content.Point(right - radius, top).Raw("l "u8);
        _content.Point(right - radius + k, top).Point(right, top - radius + k).Point(right, top - radius).Raw("c "u8);
        _content.Point(right, bottom + radius).Raw("l "u8);
        _content.Point(right, bottom + radius - k).Point(right - radius + k, bottom).Point(right - radius, bottom).Raw("c "u8);
        _content.Point(left + radius, bottom).Raw("l "u8);
        _content.Point(left + radius - k, bottom).Point(left, bottom + radius - k).Point(left, bottom + radius).Raw("c "u8);
        _content.Point(left, top - radius).Raw("l "u8);
        _content.Point(left, top - radius + k).Point(left + radius - k, top).Point(left + radius, top).Raw("c f\n"u8);
    }

    public void Line(Rgb colour, double width, double x1, double y1, double x2, double y2)
    {
        if (_stroke != colour)
        {
            _content.Colour(colour).Raw("RG\n"u8);
            _stroke = colour;
        }
        if (_lineWidth != width)
        {
            _content.Number(width).Raw("w\n"u8);
            _lineWidth = width;
        }
        _content.Point(x1, _height - y1).Raw("m "u8).Point(x2, _height - y2).Raw("l S\n"u8);
    }

    /// <summary>Text whose line top is at <paramref name="top"/>, starting at <paramref name="x"/>.</summary>
    public void Text(string text, TextFont font, Rgb colour, double x, double top)
    {
        if (text.Length == 0)
            return;
        Fill(colour);
        var face = font.Faces.Primary;
        var embedded = _fonts.For(face);
        _content.Raw("BT "u8).Raw(embedded.ResourceName).Raw(" "u8).Number(font.Size).Raw("Tf "u8)
            .Number(x).Number(_height - top - font.Ascent).Raw("Td <"u8);
        for (var i = 0; i < text.Length; i++)
        {
            int codePoint = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                codePoint = char.ConvertToUtf32(text[i], text[++i]);
            _content.Code(embedded.Cid(face.GlyphOf(codePoint), codePoint));
        }
        _content.Raw("> Tj ET\n"u8);
    }

    /// <summary>Stores the drawing as the page's content and points the page's font resources at the document's.</summary>
    public void Close()
    {
        _page.Contents.AppendContent().CreateStream(_content.ToArray());
        _page.Resources.Elements.SetReference("/Font", _fonts.Resources);
    }

    private void Fill(Rgb colour)
    {
        if (_fill == colour)
            return;
        _content.Colour(colour).Raw("rg\n"u8);
        _fill = colour;
    }
}
