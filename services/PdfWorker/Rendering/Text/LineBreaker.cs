using System.Text;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>Breaks text into lines that fit a width, so that no value is ever cut off.</summary>
internal static class LineBreaker
{
    /// <summary>
    /// Splits <paramref name="text"/> at line breaks (tabs become spaces), then lays out each paragraph. One of
    /// the primary face's left-to-right characters alone takes the fast path: greedy at spaces, a word wider
    /// than the whole line broken between characters. Anything else is shaped (<see cref="ShapedParagraph"/>).
    /// Every character of the input appears in the output except the line breaks and the spaces at which lines
    /// were broken. Always returns at least one line.
    /// </summary>
    public static IReadOnlyList<TextLine> Wrap(string text, double maxWidth, TextFont font)
    {
        if (text.AsSpan().IndexOfAny('\r', '\n', '\t') < 0 && IsSimple(text, font))
        {
            var width = font.Width(text);
            if (width <= maxWidth)
                return [new TextLine(text, width)];
        }

        var lines = new List<TextLine>();
        var normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace('\t', ' ');
        foreach (var paragraph in normalised.Split('\n'))
        {
            if (IsSimple(paragraph, font))
                WrapSimple(paragraph, maxWidth, font, lines);
            else
                ShapedParagraph.Wrap(paragraph, maxWidth, font, lines);
        }
        return lines;
    }

    /// <summary>Text that is never wrapped, such as a header or a column title.</summary>
    public static TextLine Line(string text, TextFont font) => Wrap(text, double.PositiveInfinity, font)[0];

    private static bool IsSimple(string text, TextFont font)
    {
        foreach (var c in text)
        {
            if (!font.Faces.IsSimple(c))
                return false;
        }
        return true;
    }

    private static void WrapSimple(string paragraph, double maxWidth, TextFont font, List<TextLine> lines)
    {
        var space = font.Width(new Rune(' '));
        Span<char> utf16 = stackalloc char[2];
        var line = new StringBuilder();
        var lineWidth = 0.0;
        var lineStarted = false;
        foreach (var word in paragraph.Split(' '))
        {
            var wordWidth = font.Width(word);
            var gap = lineStarted ? space : 0;
            if (lineWidth + gap + wordWidth <= maxWidth)
            {
                if (lineStarted)
                    line.Append(' ');
                line.Append(word);
                lineWidth += gap + wordWidth;
                lineStarted = true;
                continue;
            }
            if (lineStarted)
            {
                lines.Add(new TextLine(line.ToString(), lineWidth));
                line.Clear();
                lineWidth = 0;
            }
            lineStarted = true;
            if (wordWidth <= maxWidth)
            {
                line.Append(word);
                lineWidth = wordWidth;
                continue;
            }
            // Too wide for any line: fill lines character by character.
            foreach (var rune in word.EnumerateRunes())
            {
                var runeWidth = font.Width(rune);
                if (line.Length > 0 && lineWidth + runeWidth > maxWidth)
                {
                    lines.Add(new TextLine(line.ToString(), lineWidth));
                    line.Clear();
                    lineWidth = 0;
                }
                line.Append(utf16[..rune.EncodeToUtf16(utf16)]);
                lineWidth += runeWidth;
            }
        }
        lines.Add(new TextLine(line.ToString(), lineWidth));
    }
}
