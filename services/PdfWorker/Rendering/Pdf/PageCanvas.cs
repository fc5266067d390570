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
    // The fast path keeps one text object open across consecutive texts, moving by relative Td as PDFsharp
    // did: far smaller streams on table-heavy pages than a BT, Tf and absolute position for each text.
    private bool _inText;
    private string? _textFont;
    private double _textSize;
    private double _lineX;
    private double _lineY;
    private PdfDictionary? _translucency;

    public PageCanvas(PdfPage page, DocumentFonts fonts)
    {
        _page = page;
        _fonts = fonts;
        _height = page.Height.Point;
    }

    public void FillRectangle(Rgb colour, double x, double y, double width, double height)
    {
        EndText();
        Fill(colour);
        _content.Number(x).Number(_height - y - height).Number(width).Number(height).Raw("re f\n"u8);
    }

    public void FillRoundedRectangle(Rgb colour, double x, double y, double width, double height, double radius)
    {
        EndText();
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
        EndText();
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

    /// <summary>A laid-out line whose top is at <paramref name="top"/>, starting at <paramref name="x"/>.</summary>
    public void Text(TextLine line, TextFont font, Rgb colour, double x, double top)
    {
        if (line.Text.Length == 0)
            return;
        Fill(colour);
        var baseline = _height - top - font.Ascent;
        if (line.Runs is null)
        {
            SimpleText(line.Text, font, x, baseline);
            return;
        }
        foreach (var run in line.Runs)
        {
            GlyphRun(run, font.Size, colour, x, baseline);
            x += run.Advance * font.Size / run.Face.UnitsPerEm;
        }
        _fonts.Missing += line.Missing;
    }

    // The fast path: one glyph per character, at the advances the widths in the font dictionary give.
    private void SimpleText(string text, TextFont font, double x, double baseline)
    {
        var face = font.Faces.Primary;
        var embedded = _fonts.For(face);
        if (!_inText)
        {
            _content.Raw("BT\n"u8);
            (_inText, _textFont, _lineX, _lineY) = (true, null, 0, 0);
        }
        if (_textFont != embedded.ResourceName || _textSize != font.Size)
        {
            _content.Raw(embedded.ResourceName).Raw(" "u8).Number(font.Size).Raw("Tf\n"u8);
            (_textFont, _textSize) = (embedded.ResourceName, font.Size);
        }
        _content.Point(x - _lineX, baseline - _lineY).Raw("Td ("u8);
        (_lineX, _lineY) = (x, baseline);
        foreach (var c in text)
            _content.Code(embedded.Cid(face.GlyphOf(c), c));
        _content.Raw(") Tj\n"u8);
    }

    // HarfBuzz's positions, written as a TJ array: a number before a glyph moves it from where the font's own
    // advance widths would put it to where shaping placed it; vertical offsets (marks) use the text rise.
    private void GlyphRun(GlyphRun run, double size, Rgb colour, double x, double baseline)
    {
        EndText();
        if (!run.RightToLeft)
            _content.Raw("/Span << /ActualText "u8).TextString(run.Text).Raw(" >> BDC\n"u8);
        var face = run.Face;
        var embedded = _fonts.For(face);
        var toThousandths = 1000.0 / face.UnitsPerEm;
        _content.Raw("BT "u8).Raw(embedded.ResourceName).Raw(" "u8).Number(size).Raw("Tf "u8);
        if (run.SimulateBold)
        {
            // Fill and stroke the outlines: the stroke thickens every stem by a thirtieth of the size.
            if (_stroke != colour)
            {
                _content.Colour(colour).Raw("RG "u8);
                _stroke = colour;
            }
            var width = size / 30;
            if (_lineWidth != width)
            {
                _content.Number(width).Raw("w "u8);
                _lineWidth = width;
            }
            _content.Raw("2 Tr "u8);
        }
        _content.Point(x, baseline).Raw("Td ["u8);
        long position = 0, pen = 0;
        var rise = 0;
        var open = false;
        foreach (var glyph in run.Glyphs)
        {
            if (glyph.YOffset != rise)
            {
                _content.Raw(open ? ")] TJ "u8 : "] TJ "u8).Number(glyph.YOffset * size / face.UnitsPerEm).Raw("Ts ["u8);
                rise = glyph.YOffset;
                open = false;
            }
            var target = pen + glyph.XOffset;
            if (position != target)
            {
                _content.Raw(open ? ") "u8 : ""u8).Number((position - target) * toThousandths);
                open = false;
                position = target;
            }
            if (!open)
            {
                _content.Raw("("u8);
                open = true;
            }
            _content.Code(embedded.Cid(glyph.Glyph, glyph.Text));
            position += face.Advance(glyph.Glyph);
            pen += glyph.XAdvance;
        }
        _content.Raw(open ? ")] TJ"u8 : "] TJ"u8);
        if (rise != 0)
            _content.Raw(" 0 Ts"u8);
        _content.Raw(run.SimulateBold ? " 0 Tr ET\n"u8 : " ET\n"u8);
        if (!run.RightToLeft)
            _content.Raw("EMC\n"u8);
    }

    /// <summary>
    /// A line across the page's rising diagonal, centred, over everything drawn so far and see-through by the
    /// <paramref name="translucency"/> graphics state; marked as a watermark artifact, so that it is not taken for content.
    /// </summary>
    public void Watermark(TextLine line, TextFont font, Rgb colour, PdfDictionary translucency)
    {
        EndText();
        var width = _page.Width.Point;
        var angle = Math.Atan2(_height, width);
        _content.Raw("/Artifact <</Type /Pagination /Subtype /Watermark>> BDC q /Wm gs\n"u8);
        _content.Number(Math.Cos(angle)).Number(Math.Sin(angle)).Number(-Math.Sin(angle)).Number(Math.Cos(angle))
            .Point(width / 2, _height / 2).Raw("cm\n"u8);
        // The page centre is now the origin of a rotated space; Text() measures tops from the page's top edge, so this
        // top puts the baseline a third of the ascent below the middle, which centres capitals on it.
        Text(line, font, colour, -line.Width / 2, _height - font.Ascent * 2 / 3);
        EndText();
        _content.Raw("Q EMC\n"u8);
        // Q brought back the colours and line width of before; forget what was set inside.
        (_fill, _stroke, _lineWidth) = (null, null, -1);
        _translucency = translucency;
    }

    /// <summary>Stores the drawing as the page's content and points the page's font resources at the document's.</summary>
    public void Close()
    {
        EndText();
        _page.Contents.AppendContent().CreateStream(_content.ToArray());
        _page.Resources.Elements.SetReference("/Font", _fonts.Resources);
        if (_translucency is null)
            return;
        var states = new PdfDictionary();
        states.Elements.SetReference("/Wm", _translucency);
        _page.Resources.Elements["/ExtGState"] = states;
    }

    private void EndText()
    {
        if (!_inText)
            return;
        _content.Raw("ET\n"u8);
        _inText = false;
    }

    private void Fill(Rgb colour)
    {
        if (_fill == colour)
            return;
        _content.Colour(colour).Raw("rg\n"u8);
        _fill = colour;
    }
}
