using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using static Sts.PdfWorker.Rendering.Pdf.ReportStyle;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Writes a report top to bottom: keeps the position on the current page, starts new pages as content
/// needs them, and draws every page's header and footer at the end, once the page count is known.
/// </summary>
internal sealed class ReportWriter(PdfDocument document, ReportFonts fonts, RenderLimit limit)
{
    // Each page's graphics stay open until Finish adds the "Page X of Y" footers.
    private readonly List<XGraphics> _pages = [];

    public ReportFonts Fonts => fonts;

    /// <summary>The current page's graphics.</summary>
    public XGraphics Page => _pages[^1];

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
        _pages.Add(XGraphics.FromPdfPage(page));
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
    public void Paragraph(string text, MeasuredFont font, XBrush brush)
    {
        foreach (var line in LineBreaker.Wrap(text, ContentWidth, font))
        {
            EnsureSpace(font.LineHeight);
            Page.DrawString(line, font.Font, brush, MarginX, Y, XStringFormats.TopLeft);
            Y += font.LineHeight;
        }
    }

    /// <summary>A section heading with a rule under it, kept on the same page as the start of its section.</summary>
    public void Heading(string text)
    {
        // Room for the gap above, the heading, a table header and a couple of rows: a heading never ends a page.
        const double gapAbove = 12;
        const double keepWithNext = 60;
        EnsureSpace(gapAbove + fonts.Heading.LineHeight + keepWithNext);
        if (!AtPageTop)
            Space(gapAbove);
        Paragraph(text, fonts.Heading, Accent);
        Page.DrawLine(AccentPen, MarginX, Y + 1, MarginX + ContentWidth, Y + 1);
        Y += 6;
    }

    /// <summary>A muted note, such as "None." under an empty section.</summary>
    public void Note(string text) => Paragraph(text, fonts.Body, Muted);

    public ReportTable Table(IReadOnlyList<Column> columns, bool header = true) => new(this, columns, header);

    /// <summary>Draws every page's header and its "Page X of Y" footer, and closes the pages.</summary>
    public void Finish(string headerLeft, string headerRight, string footerLeft)
    {
        var small = fonts.Small.Font;
        var header = new XRect(MarginX, HeaderTextTop, ContentWidth, 0);
        var footer = new XRect(MarginX, FooterTextTop, ContentWidth, 0);
        for (var i = 0; i < _pages.Count; i++)
        {
            var page = _pages[i];
            page.DrawString(headerLeft, small, Muted, header, XStringFormats.TopLeft);
            page.DrawString(headerRight, small, Muted, header, XStringFormats.TopRight);
            page.DrawLine(RulePen, MarginX, HeaderRuleY, MarginX + ContentWidth, HeaderRuleY);
            page.DrawLine(RulePen, MarginX, FooterRuleY, MarginX + ContentWidth, FooterRuleY);
            page.DrawString(footerLeft, small, Muted, footer, XStringFormats.TopLeft);
            var pageOf = string.Create(CultureInfo.InvariantCulture, $"Page {i + 1} of {_pages.Count}");
            page.DrawString(pageOf, small, Ink, footer, XStringFormats.TopRight);
            page.Dispose();
        }
    }
}
