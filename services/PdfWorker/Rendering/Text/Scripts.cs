using HarfBuzzSharp;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>The Unicode script of each character of a paragraph, for choosing fonts and shaping.</summary>
internal static class Scripts
{
    private static readonly Dictionary<Script, Language> Languages = new()
    {
        [Script.Han] = new Language("zh"),
        [Script.Bopomofo] = new Language("zh"),
        [Script.Hiragana] = new Language("ja"),
        [Script.Katakana] = new Language("ja"),
        [Script.Hangul] = new Language("ko"),
        [Script.Arabic] = new Language("ar"),
        [Script.Hebrew] = new Language("he"),
        [Script.Thai] = new Language("th"),
        [Script.Devanagari] = new Language("hi"),
    };

    private static readonly Language English = new("en");

    /// <summary>
    /// The script of each code point. Characters of no script of their own (digits, punctuation, spaces, marks)
    /// take the script of the text before them, or at the start of the text after them.
    /// </summary>
    public static Script[] Resolve(ReadOnlySpan<int> codePoints)
    {
        var unicode = UnicodeFunctions.Default;
        var scripts = new Script[codePoints.Length];
        var current = Script.Common;
        var seen = false;
        for (var i = 0; i < codePoints.Length; i++)
        {
            var script = unicode.GetScript(codePoints[i]);
            if (script == Script.Common || script == Script.Inherited || script == Script.Unknown)
            {
                scripts[i] = current;
                continue;
            }
            if (!seen)
            {
                Array.Fill(scripts, script, 0, i);
                seen = true;
            }
            scripts[i] = current = script;
        }
        return scripts;
    }

    /// <summary>
    /// The language HarfBuzz shapes a script's text as. Set on every buffer, because HarfBuzz would otherwise
    /// take the process locale, and the same input must give the same bytes on every machine.
    /// </summary>
    public static Language LanguageOf(Script script) => Languages.GetValueOrDefault(script, English);
}
