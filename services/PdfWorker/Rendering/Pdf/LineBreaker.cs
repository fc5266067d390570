using System.Text;
using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>Breaks text into lines that fit a width, so that no value is ever cut off.</summary>
internal static class LineBreaker
{
    /// <summary>
    /// Splits <paramref name="text"/> at line breaks, then greedily at spaces; a word wider than the whole
    /// line is broken between characters. Every character of the input appears in the output except the
    /// line breaks and the spaces at which lines were broken (tabs become spaces). Always returns at least one line.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, double maxWidth, TextFont font)
    {
        if (text.AsSpan().IndexOfAny('\r', '\n', '\t') < 0 && font.Width(text) <= maxWidth)
            return [text];

        var lines = new List<string>();
        var normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace('\t', ' ');
        foreach (var paragraph in normalised.Split('\n'))
            WrapParagraph(paragraph, maxWidth, font, lines);
        return lines;
    }

    private static void WrapParagraph(string paragraph, double maxWidth, TextFont font, List<string> lines)
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
                lines.Add(line.ToString());
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
            // Too wide for any line: fill lines character by character (whole surrogate pairs).
            foreach (var rune in word.EnumerateRunes())
            {
                var runeWidth = font.Width(rune);
                if (line.Length > 0 && lineWidth + runeWidth > maxWidth)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                    lineWidth = 0;
                }
                line.Append(utf16[..rune.EncodeToUtf16(utf16)]);
                lineWidth += runeWidth;
            }
        }
        lines.Add(line.ToString());
    }
}
