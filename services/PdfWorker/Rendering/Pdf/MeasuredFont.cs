using System.Text;
using PdfSharp.Drawing;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>An XFont with a cache of its character widths, for laying out text before drawing it.</summary>
/// <remarks>
/// PDFsharp draws glyphs at their advance widths without kerning, so a string's width is the sum of its
/// characters' widths. Measuring each character once instead of each string through XGraphics.MeasureString
/// keeps the line breaker cheap on rooms with thousands of rows.
/// </remarks>
internal sealed class MeasuredFont
{
    // Latin, Greek and Cyrillic all sit below U+0600: a flat array covers nearly every lookup.
    private const int TableSize = 0x600;

    private readonly XGraphics _measure;
    private readonly double[] _table = new double[TableSize];
    private readonly Dictionary<int, double> _others = [];

    public MeasuredFont(XFont font, XGraphics measure)
    {
        Font = font;
        _measure = measure;
        LineHeight = font.GetHeight();
        Array.Fill(_table, double.NaN);
    }

    public XFont Font { get; }

    /// <summary>Distance from one line's top to the next.</summary>
    public double LineHeight { get; }

    public double Width(string text) => Width(text.AsSpan());

    public double Width(ReadOnlySpan<char> text)
    {
        var width = 0.0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] < TableSize)
            {
                width += TableWidth(text[i]);
                continue;
            }
            Rune.DecodeFromUtf16(text[i..], out var rune, out var used);
            width += Width(rune);
            i += used - 1;
        }
        return width;
    }

    public double Width(Rune rune)
    {
        if (rune.Value < TableSize)
            return TableWidth(rune.Value);
        if (!_others.TryGetValue(rune.Value, out var width))
            _others[rune.Value] = width = Measure(rune);
        return width;
    }

    private double TableWidth(int codePoint)
    {
        var width = _table[codePoint];
        return double.IsNaN(width) ? _table[codePoint] = Measure(new Rune(codePoint)) : width;
    }

    private double Measure(Rune rune) => _measure.MeasureString(rune.ToString(), Font).Width;
}
