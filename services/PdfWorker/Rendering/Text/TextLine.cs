namespace Sts.PdfWorker.Rendering.Text;

/// <summary>One laid-out line of text, ready to draw.</summary>
/// <remarks>
/// A line of the fast path has no <see cref="Runs"/>: its characters are drawn one glyph each with the
/// primary face, left to right. A shaped line lists its glyph runs in visual order.
/// </remarks>
internal sealed class TextLine
{
    public static readonly TextLine Empty = new("", 0);

    /// <summary>A line of the fast path.</summary>
    public TextLine(string text, double width)
    {
        Text = text;
        Width = width;
    }

    /// <summary>A shaped line.</summary>
    public TextLine(string text, double width, bool rightToLeft, IReadOnlyList<GlyphRun> runs, int missing)
    {
        Text = text;
        Width = width;
        RightToLeft = rightToLeft;
        Runs = runs;
        Missing = missing;
    }

    /// <summary>The line's characters in logical (reading) order: what copy, search and ActualText give back.</summary>
    public string Text { get; }

    /// <summary>Width in points.</summary>
    public double Width { get; }

    /// <summary>True when the line belongs to a right-to-left paragraph, which is aligned to the right.</summary>
    public bool RightToLeft { get; }

    /// <summary>The glyph runs of a shaped line, left to right as drawn; null on the fast path.</summary>
    public IReadOnlyList<GlyphRun>? Runs { get; }

    /// <summary>Characters no bundled font has, drawn as a replacement glyph.</summary>
    public int Missing { get; }

    public override string ToString() => Text;
}

/// <summary>
/// Glyphs of one face drawn together, left to right; positions in the face's font units. <see cref="Text"/> is
/// the run's characters in logical order; <see cref="RightToLeft"/> runs were shaped right to left.
/// </summary>
internal sealed record GlyphRun(FontFace Face, bool SimulateBold, bool RightToLeft, string Text, ShapedGlyph[] Glyphs)
{
    /// <summary>The run's width in font units.</summary>
    public int Advance => Glyphs.Sum(g => g.XAdvance);
}

/// <summary>
/// One positioned glyph: advance and offsets in font units, and the characters it stands for in the text
/// (a ligature's several, or none for the second glyph of a cluster), for the PDF's ToUnicode map.
/// </summary>
internal readonly record struct ShapedGlyph(ushort Glyph, int XAdvance, int XOffset, int YOffset, string Text);
