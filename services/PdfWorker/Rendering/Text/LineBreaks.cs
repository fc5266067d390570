using HarfBuzzSharp;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// Where a line may break, for text the fast path does not take: after spaces, and between characters of
/// scripts written without spaces (Han, Hiragana, Katakana), but never before closing punctuation, small kana
/// or the prolonged sound mark, nor after opening punctuation (the kinsoku rules of UAX #14's classes CL, CP,
/// NS, EX, IS and OP). Korean is written with spaces and breaks at them, keeping words whole as names and
/// company names should be. Thai has no dictionary here: it breaks at spaces, and like any word too long for
/// its line, between grapheme clusters.
/// </summary>
internal static class LineBreaks
{
    private const string NoBreakBefore =
        ")]}.,!?;:%\u00BB\u2019\u201D\u2010\u2013\u2026\u203C\u2047\u2048\u2049\u3001\u3002\u3005\u300B\u3009\u300D\u300F\u3011\u3015\u3017\u3019\u301F" +
        "\u303B\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308E\u3095\u3096\u309B\u309C\u309D\u309E\u30A0\u30A1\u30A3\u30A5\u30A7\u30A9" +
        "\u30C3\u30E3\u30E5\u30E7\u30EE\u30F5\u30F6\u30FB\u30FC\u30FD\u30FE\u31F0\u31F1\u31F2\u31F3\u31F4\u31F5\u31F6\u31F7\u31F8\u31F9\u31FA\u31FB" +
        "\u31FC\u31FD\u31FE\u31FF\uFF01\uFF09\uFF0C\uFF0E\uFF1A\uFF1B\uFF1F\uFF3D\uFF5D\uFF60\uFF61\uFF63\uFF64\uFF65\uFF9E\uFF9F";

    private const string NoBreakAfter = "([{\u00AB\u2018\u201C\u3008\u300A\u300C\u300E\u3010\u3014\u3016\u3018\u301D\uFF08\uFF3B\uFF5B\uFF5F\uFF62";

    /// <summary>True for the spaces a line breaks at; they are dropped at a line's end.</summary>
    public static bool IsSpace(int codePoint) => codePoint is ' ' or '\u3000';

    /// <summary>Whether a line may start at <paramref name="codePoints"/>[<paramref name="at"/>] (0 &lt; at &lt; length).</summary>
    public static bool AllowedBefore(ReadOnlySpan<int> codePoints, int at)
    {
        int before = codePoints[at - 1], after = codePoints[at];
        if (IsSpace(after))
            return false;
        if (IsSpace(before))
            return true;
        if (!IsIdeographic(before) && !IsIdeographic(after))
            return false;
        return !Contains(NoBreakBefore, after) && !Contains(NoBreakAfter, before);
    }

    // Characters of scripts written without spaces between words (not Hangul), their punctuation and full-width forms.
    private static bool IsIdeographic(int codePoint)
    {
        if (codePoint is >= 0x3000 and <= 0x30FF or >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF
            or >= 0xF900 and <= 0xFAFF or >= 0xFF00 and <= 0xFFEF or >= 0x20000 and <= 0x3FFFF)
            return true;
        var script = UnicodeFunctions.Default.GetScript(codePoint);
        return script == Script.Han || script == Script.Hiragana || script == Script.Katakana;
    }

    private static bool Contains(string set, int codePoint) => codePoint < 0x10000 && set.Contains((char)codePoint, StringComparison.Ordinal);
}
