namespace Sts.PdfWorker.Rendering.Text.Unicode;

/// <summary>
/// The Arabic and Hebrew presentation-form characters by the characters they decompose to (UnicodeData.txt
/// 15.0, U+FB1D..U+FDFF and U+FE70..U+FEFF), e.g. "\u0644\u0627" (lam, alef) to U+FEFB, the lam-alef ligature.
/// </summary>
/// <remarks>
/// A right-to-left ligature glyph is mapped in the PDF's ToUnicode to its presentation form, one character,
/// rather than to the two it stands for: text extraction reverses right-to-left text character by character,
/// which would turn a two-character mapping backwards, while one character survives and NFKC restores the pair.
/// </remarks>
internal static class PresentationForms
{
    private static readonly Lazy<Dictionary<string, int>> Forms = new(Load);

    /// <summary>The presentation form that stands for <paramref name="text"/>, if there is one.</summary>
    public static bool TryGet(string text, out int form) => Forms.Value.TryGetValue(text, out form);

    private static Dictionary<string, int> Load()
    {
        var forms = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in UnicodeDataFile.Lines("PresentationForms.txt"))
        {
            // "FEFB;ARABIC LIGATURE LAM WITH ALEF ISOLATED FORM;Lo;0;AL;<isolated> 0644 0627;;;;N;..."
            var decomposition = line.Split(';')[5].Split(' ').Where(part => part.Length > 0 && part[0] != '<').ToArray();
            if (decomposition.Length < 2)
                continue;
            var text = string.Concat(decomposition.Select(code => char.ConvertFromUtf32(UnicodeDataFile.Hex(code))));
            // Several forms (isolated, final, ...) share a decomposition: the first in code point order is kept.
            forms.TryAdd(text, UnicodeDataFile.Hex(line.Split(';')[0]));
        }
        return forms;
    }
}
