using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>The fonts of one report, each with its width cache. Made per render: XGraphics is not thread-safe.</summary>
internal sealed class ReportFonts : IDisposable
{
    // Automatic: a string that fits Windows-1252 (all of Latin-1, so accented Latin too) is written
    // one byte per character with a WinAnsi TrueType font; anything else (Greek, Cyrillic) through a
    // Unicode CID font with a ToUnicode map. Both are embedded subsets and extract correctly. Forcing
    // Unicode for every string doubled the time of the large fixture: four hex digits per glyph.
    private static readonly XPdfFontOptions Encoding = new(PdfFontEncoding.Automatic);

    private readonly XGraphics _measure = XGraphics.CreateMeasureContext(
        new XSize(ReportStyle.PageWidth, ReportStyle.PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards);

    public ReportFonts()
    {
        Body = Create(7.5, XFontStyleEx.Regular);
        BodyBold = Create(7.5, XFontStyleEx.Bold);
        Label = Create(6, XFontStyleEx.Bold);
        Small = Create(7, XFontStyleEx.Regular);
        Heading = Create(12, XFontStyleEx.Bold);
        Title = Create(18, XFontStyleEx.Bold);
    }

    public MeasuredFont Body { get; }
    public MeasuredFont BodyBold { get; }
    public MeasuredFont Label { get; }
    public MeasuredFont Small { get; }
    public MeasuredFont Heading { get; }
    public MeasuredFont Title { get; }

    public void Dispose() => _measure.Dispose();

    private MeasuredFont Create(double size, XFontStyleEx style) =>
        new(new XFont(BundledFontResolver.Family, size, style, Encoding), _measure);
}
