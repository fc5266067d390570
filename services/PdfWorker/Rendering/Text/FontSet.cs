using System.Globalization;
using HarfBuzzSharp;
using Sts.PdfWorker.Rendering.Text.Unicode;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>A face that takes over the characters of some scripts; <see cref="SimulateBold"/> when it stands in for a bold it lacks.</summary>
internal sealed record FallbackFace(FontFace Face, Script[] Scripts, bool SimulateBold = false);

/// <summary>
/// One weight of the report's typeface: the primary face (DejaVu Sans: Latin, Greek, Cyrillic) and a face for
/// each other script, and which characters the fast path may lay out on its own (<see cref="IsSimple"/>).
/// </summary>
internal sealed class FontSet
{
    private readonly FontFace[] _faces;
    private readonly FallbackFace[] _fallbacks;
    private readonly Dictionary<Script, FontFace> _byScript = [];
    // One bit per BMP character: the primary face has it, and it needs neither a fallback, shaping nor reordering.
    private readonly ulong[] _simple = new ulong[0x10000 / 64];

    public FontSet(FontFace primary, params FallbackFace[] fallbacks)
    {
        Primary = primary;
        _fallbacks = fallbacks;
        _faces = [primary, .. fallbacks.Select(f => f.Face)];
        foreach (var fallback in fallbacks)
        {
            foreach (var script in fallback.Scripts)
                _byScript[script] = fallback.Face;
        }
        var unicode = UnicodeFunctions.Default;
        for (var c = 0; c < 0x10000; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF || !primary.Has(c))
                continue;
            var bidi = UnicodeBidiData.ClassOf(c);
            var leftToRight = bidi is BidiClass.L or BidiClass.EN or BidiClass.ES or BidiClass.ET or BidiClass.CS or BidiClass.ON or BidiClass.WS;
            var mark = CharUnicodeInfo.GetUnicodeCategory((char)c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark;
            if (leftToRight && !mark && !_byScript.ContainsKey(unicode.GetScript(c)))
                _simple[c >> 6] |= 1UL << c;
        }
    }

    /// <summary>DejaVu Sans: the face of every character it covers, unless the character's script has a face of its own.</summary>
    public FontFace Primary { get; }

    /// <summary>True when <paramref name="c"/> can be drawn by the fast path: the primary face, left to right, one glyph per character.</summary>
    public bool IsSimple(char c) => (_simple[c >> 6] & (1UL << c)) != 0;

    /// <summary>
    /// The face to draw <paramref name="codePoint"/> with: its script's face if that has it, else the first
    /// face in order (primary first) that has it; null when none has.
    /// </summary>
    public FontFace? FaceFor(int codePoint, Script script)
    {
        if (_byScript.TryGetValue(script, out var preferred) && preferred.Has(codePoint))
            return preferred;
        foreach (var face in _faces)
        {
            if (face.Has(codePoint))
                return face;
        }
        return null;
    }

    /// <summary>True when text of this weight in <paramref name="face"/> must be emboldened by drawing (the face has no bold of its own).</summary>
    public bool SimulatesBold(FontFace face)
    {
        foreach (var fallback in _fallbacks)
        {
            if (ReferenceEquals(fallback.Face, face))
                return fallback.SimulateBold;
        }
        return false;
    }
}
