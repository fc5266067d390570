using Sts.PdfWorker.Rendering.Text;
using static Sts.PdfWorker.Rendering.Pdf.ReportStyle;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// A table written row by row: cells wrap onto as many lines as they need, a row that does not fit
/// moves to the next page (or, if taller than a page, continues there), and the header row is repeated
/// on every page the table reaches.
/// </summary>
internal sealed class ReportTable
{
    private const double LabelPadX = 3;
    private const double LabelRadius = 1.5;
    private const int MinSplitLines = 3;

    private readonly ReportWriter _report;
    private readonly IReadOnlyList<Column> _columns;
    private readonly bool _header;
    private readonly double _lineHeight;
    // Lines of a row that fit on a page below the header.
    private readonly int _pageLines;
    private int _rows;
    // True while the current page holds nothing of this table but its header: moving a row on would not give it more room.
    private bool _atTableTop;

    public ReportTable(ReportWriter report, IReadOnlyList<Column> columns, bool header)
    {
        _report = report;
        _columns = columns;
        _header = header;
        _lineHeight = ReportFonts.Body.LineHeight;
        _pageLines = (int)((ContentBottom - ContentTop - HeaderHeight - 2 * CellPadY) / _lineHeight);
        report.EnsureSpace(HeaderHeight + RowHeight(1));
        _atTableTop = report.AtPageTop;
        DrawHeader();
    }

    private double HeaderHeight => _header ? ReportFonts.BodyBold.LineHeight + 2 * CellPadY : 0;

    private double RowHeight(int lines) => lines * _lineHeight + 2 * CellPadY;

    public void AddRow(ReadOnlySpan<Cell> cells)
    {
        var lines = new IReadOnlyList<TextLine>[cells.Length];
        var lineCount = 1;
        for (var i = 0; i < cells.Length; i++)
        {
            var labelPad = cells[i].Kind == CellKind.Status ? 2 * LabelPadX : 0;
            lines[i] = LineBreaker.Wrap(cells[i].Text, _columns[i].Width - 2 * CellPadX - labelPad, FontOf(cells[i]));
            lineCount = Math.Max(lineCount, lines[i].Count);
        }

        var done = 0;
        while (done < lineCount)
        {
            var fit = (int)((_report.SpaceLeft - 2 * CellPadY) / _lineHeight);
            var left = lineCount - done;
            // Keep a row whole when a fresh page can hold it; split only rows taller than a page,
            // and not into a sliver of one or two lines at the foot of a page.
            if (left > fit && (fit < 1 || (done == 0 && !_atTableTop && (left <= _pageLines || fit < MinSplitLines))))
            {
                NextPage();
                continue;
            }
            var take = Math.Min(left, fit);
            DrawSlice(cells, lines, done, take);
            done += take;
            if (done < lineCount)
                NextPage();
        }
        _rows++;
    }

    private static TextFont FontOf(Cell cell) => cell.Kind switch
    {
        CellKind.Key => ReportFonts.BodyBold,
        CellKind.Status => ReportFonts.Label,
        _ => ReportFonts.Body,
    };

    private void NextPage()
    {
        _report.NewPage();
        _atTableTop = true;
        DrawHeader();
    }

    private void DrawHeader()
    {
        if (!_header)
            return;
        var page = _report.Page;
        page.FillRectangle(Accent, MarginX, _report.Y, ContentWidth, HeaderHeight);
        var x = MarginX;
        foreach (var column in _columns)
        {
            page.Text(LineBreaker.Line(column.Title, ReportFonts.BodyBold), ReportFonts.BodyBold, White, x + CellPadX, _report.Y + CellPadY);
            x += column.Width;
        }
        _report.Y += HeaderHeight;
    }

    private void DrawSlice(ReadOnlySpan<Cell> cells, IReadOnlyList<TextLine>[] lines, int from, int count)
    {
        var page = _report.Page;
        var top = _report.Y;
        var height = RowHeight(count);
        if (_rows % 2 == 1)
            page.FillRectangle(Stripe, MarginX, top, ContentWidth, height);

        var x = MarginX;
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            var font = FontOf(cell);
            var end = Math.Min(lines[i].Count, from + count);
            for (var line = from; line < end; line++)
            {
                var text = lines[i][line];
                if (text.Text.Length == 0)
                    continue;
                var y = top + CellPadY + (line - from) * _lineHeight;
                if (cell.Kind == CellKind.Status)
                {
                    var labelWidth = text.Width + 2 * LabelPadX;
                    page.FillRoundedRectangle(cell.Fill ?? Waiting, x + CellPadX, y + 0.5, labelWidth, _lineHeight - 1, LabelRadius);
                    var textTop = y + (_lineHeight - font.LineHeight) / 2;
                    page.Text(text, font, White, x + CellPadX + LabelPadX, textTop);
                }
                else
                {
                    // Right-to-left paragraphs are aligned to the cell's right edge.
                    var left = text.RightToLeft ? x + _columns[i].Width - CellPadX - text.Width : x + CellPadX;
                    page.Text(text, font, cell.Kind == CellKind.Key ? Muted : Ink, left, y);
                }
            }
            x += _columns[i].Width;
        }
        _report.Y = top + height;
        _atTableTop = false;
    }
}
