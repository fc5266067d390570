using HarfBuzzSharp;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// The fonts shipped beside this assembly (Fonts/, sources and licences in Fonts/README.md), read once per
/// process so that every render shares the parsed faces and no PDF depends on the machine it was made on.
/// </summary>
/// <remarks>
/// Fallback order after DejaVu Sans: Han, Hiragana, Katakana and Hangul (WenQuanYi Zen Hei, which has no
/// bold, so bold is drawn emboldened), Arabic, Hebrew, Thai, Devanagari (Noto Sans, regular and bold).
/// </remarks>
internal static class BundledFonts
{
    private static readonly Script[] Cjk = [Script.Han, Script.Hiragana, Script.Katakana, Script.Hangul, Script.Bopomofo];

    private static readonly Lazy<(FontSet Regular, FontSet Bold)> Sets = new(Create);

    public static FontSet Regular => Sets.Value.Regular;

    public static FontSet Bold => Sets.Value.Bold;

    /// <summary>Reads every face now, so that a missing or damaged font fails start-up instead of a render.</summary>
    public static void Load() => _ = Sets.Value;

    private static (FontSet, FontSet) Create()
    {
        // One face for both weights: a document that uses it in both embeds one subset.
        var cjk = Face("wqy-zenhei.ttc");
        return (
            new FontSet(
                Face("DejaVuSans.ttf"),
                new FallbackFace(cjk, Cjk),
                new FallbackFace(Face("NotoSansArabic-Regular.ttf"), [Script.Arabic]),
                new FallbackFace(Face("NotoSansHebrew-Regular.ttf"), [Script.Hebrew]),
                new FallbackFace(Face("NotoSansThai-Regular.ttf"), [Script.Thai]),
                new FallbackFace(Face("NotoSansDevanagari-Regular.ttf"), [Script.Devanagari])),
            new FontSet(
                Face("DejaVuSans-Bold.ttf"),
                new FallbackFace(cjk, Cjk, SimulateBold: true),
                new FallbackFace(Face("NotoSansArabic-Bold.ttf"), [Script.Arabic]),
                new FallbackFace(Face("NotoSansHebrew-Bold.ttf"), [Script.Hebrew]),
                new FallbackFace(Face("NotoSansThai-Bold.ttf"), [Script.Thai]),
                new FallbackFace(Face("NotoSansDevanagari-Bold.ttf"), [Script.Devanagari])));
    }

    private static FontFace Face(string file) => new(FontData.Open(file));
}
