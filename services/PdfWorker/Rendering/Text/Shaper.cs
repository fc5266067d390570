using HarfBuzzSharp;
using Buffer = HarfBuzzSharp.Buffer;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>Shapes runs of one face, script and direction with HarfBuzz.</summary>
internal static class Shaper
{
    /// <summary>
    /// Shapes <paramref name="codePoints"/>[start, end), with the rest of the paragraph as context (so Arabic
    /// joins across a run boundary). Glyphs come in visual order; clusters are indices into the paragraph.
    /// </summary>
    public static (ushort Glyph, int Cluster, int XAdvance, int XOffset, int YOffset)[] Shape(
        FontFace face, int[] codePoints, int start, int end, bool rightToLeft, Script script)
    {
        using var buffer = new Buffer();
        buffer.AddUtf32(codePoints, start, end - start);
        buffer.Direction = rightToLeft ? Direction.RightToLeft : Direction.LeftToRight;
        buffer.Script = script;
        buffer.Language = Scripts.LanguageOf(script);
        buffer.ClusterLevel = ClusterLevel.MonotoneGraphemes;
        // Zero-width joiners, bidi controls and variation selectors steer shaping and are then dropped.
        buffer.Flags = BufferFlags.RemoveDefaultIgnorables
            | (start == 0 ? BufferFlags.BeginningOfText : 0)
            | (end == codePoints.Length ? BufferFlags.EndOfText : 0);
        face.Shaping.Shape(buffer);

        var infos = buffer.GetGlyphInfoSpan();
        var positions = buffer.GetGlyphPositionSpan();
        var glyphs = new (ushort, int, int, int, int)[infos.Length];
        for (var i = 0; i < infos.Length; i++)
            glyphs[i] = ((ushort)infos[i].Codepoint, (int)infos[i].Cluster, positions[i].XAdvance, positions[i].XOffset, positions[i].YOffset);
        return glyphs;
    }
}
