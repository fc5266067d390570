using System.Globalization;
using PdfSharp;
using PdfSharp.Pdf;
using Sts.PdfWorker.Rendering.Text;
using static Sts.PdfWorker.Rendering.Pdf.ReportStyle;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Writes a report top to bottom: keeps the position on the current page, starts new pages as content
/// needs them, and draws every page's header and footer at the end, once the page count is known.
/// </summary>
internal sealed class ReportWriter(PdfDocument document, RenderLimit limit)
{
    private readonly DocumentFonts _fonts = new(document);
    // Each page stays open until Finish adds the "Page X of Y" footers.
    private readonly List<PageCanvas> _pages = [];

    /// <summary>The current page.</summary>
    public PageCanvas Page => _pages[^1];

    /// <summary>Where the next content starts on the current page.</summary>
    public double Y { get; set; }

    public double SpaceLeft => ContentBottom - Y;

    /// <summary>True when nothing has been written on the current page yet.</summary>
    public bool AtPageTop => Y <= ContentTop;

    public void NewPage()
    {
        // Each page is a natural point to give up a render that has run past its time limit.
        limit.ThrowIfPassed();
        var page = document.AddPage();
        page.Size = PageSize.A4;
        _pages.Add(new PageCanvas(page, _fonts));
        Y = ContentTop;
    }

    /// <summary>Starts a new page unless <paramref name="height"/> fits below the current position or the page is still empty.</summary>
    public void EnsureSpace(double height)
    {
        if (height > SpaceLeft && !AtPageTop)
            NewPage();
    }

    public void Space(double height) => Y = Math.Min(Y + height, ContentBottom);

    /// <summary>Text wrapped to the content width; what does not fit continues on the next page.</summary>
    public void Paragraph(string text, TextFont font, Rgb colour)
    {
        foreach (var line in LineBreaker.Wrap(text, ContentWidth, font))
        {
            EnsureSpace(font.LineHeight);
            Page.Text(line, font, colour, line.RightToLeft ? MarginX + ContentWidth - line.Width : MarginX, Y);
            Y += font.LineHeight;
        }
    }

    /// <summary>A section heading with a rule under it, kept on the same page as the start of its section.</summary>
    public void Heading(string text)
    {
        // Room for the gap above, the heading, a table header and a couple of rows: a heading never ends a page.
        const double gapAbove = 12;
        const double keepWithNext = 60;
        EnsureSpace(gapAbove + ReportFonts.Heading.LineHeight + keepWithNext);
        if (!AtPageTop)
            Space(gapAbove);
        Paragraph(text, ReportFonts.Heading, Accent);
        Page.Line(Accent, AccentRuleWidth, MarginX, Y + 1, MarginX + ContentWidth, Y + 1);
        Y += 6;
    }

    /// <summary>A muted note, such as "None." under an empty section.</summary>
    public void Note(string text) => Paragraph(text, ReportFonts.Body, Muted);

    /// <summary>Characters drawn so far as a replacement glyph because no bundled font has them.</summary>
    public int MissingGlyphs => _fonts.Missing;

    public ReportTable Table(IReadOnlyList<Column> columns, bool header = true) => new(this, columns, header);

    /// <summary>
    /// Draws every page's header and its "Page X of Y" footer, and the <paramref name="watermark"/> across it if there is
    /// one; closes the pages and writes the fonts.
    /// </summary>
    public void Finish(string headerLeft, string headerRight, string footerLeft, string? watermark = null)
    {
        var small = ReportFonts.Small;
        var right = MarginX + ContentWidth;
        var (left, rightHeader, footer) = (LineBreaker.Line(headerLeft, small), LineBreaker.Line(headerRight, small), LineBreaker.Line(footerLeft, small));
        (TextLine Line, TextFont Font, PdfDictionary Translucency)? mark = string.IsNullOrEmpty(watermark) ? null : Watermark(watermark);
        for (var i = 0; i < _pages.Count; i++)
        {
            var page = _pages[i];
            page.Text(left, small, Muted, MarginX, HeaderTextTop);
            page.Text(rightHeader, small, Muted, right - rightHeader.Width, HeaderTextTop);
            page.Line(Rule, RuleWidth, MarginX, HeaderRuleY, right, HeaderRuleY);
            page.Line(Rule, RuleWidth, MarginX, FooterRuleY, right, FooterRuleY);
            page.Text(footer, small, Muted, MarginX, FooterTextTop);
            var pageOf = LineBreaker.Line(string.Create(CultureInfo.InvariantCulture, $"Page {i + 1} of {_pages.Count}"), small);
            page.Text(pageOf, small, Ink, right - pageOf.Width, FooterTextTop);
            if (mark is { } m)
                page.Watermark(m.Line, m.Font, WatermarkInk, m.Translucency);
            page.Close();
        }
        _fonts.Write();
    }

    /// <summary>The watermark's line, at the size that makes it span about three quarters of the page's diagonal (at most 96 pt), and its translucency.</summary>
    private (TextLine Line, TextFont Font, PdfDictionary Translucency) Watermark(string text)
    {
        const double measureSize = 100;
        var diagonal = Math.Sqrt(PageWidth * PageWidth + PageHeight * PageHeight);
        var measured = LineBreaker.Line(text, new TextFont(BundledFonts.Bold, measureSize)).Width;
        var font = new TextFont(BundledFonts.Bold, Math.Clamp(0.75 * diagonal * measureSize / Math.Max(measured, 1), 8, 96));
        var translucency = new PdfDictionary(document);
        translucency.Elements["/Type"] = new PdfName("/ExtGState");
        translucency.Elements.SetReal("/ca", WatermarkOpacity);
        translucency.Elements.SetReal("/CA", WatermarkOpacity);
        document.Internals.AddObject(translucency);
        return (LineBreaker.Line(text, font), font, translucency);
    }
}
