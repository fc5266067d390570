namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// One weight of the report's typeface: the faces text of that weight is drawn with, and which characters
/// the fast path may lay out on its own (<see cref="IsSimple"/>).
/// </summary>
internal sealed class FontSet
{
    // One bit per BMP character: the primary face has it, and it needs neither shaping nor reordering.
    private readonly ulong[] _simple = new ulong[0x10000 / 64];

    public FontSet(FontFace primary)
    {
        Primary = primary;
        for (var c = 0; c < 0x10000; c++)
        {
            if (c is < 0xD800 or > 0xDFFF && primary.Has(c))
                _simple[c >> 6] |= 1UL << c;
        }
    }

    /// <summary>DejaVu Sans (Latin, Greek, Cyrillic): the face of every character it covers.</summary>
    public FontFace Primary { get; }

    /// <summary>True when <paramref name="c"/> can be drawn by the fast path: the primary face, left to right, one glyph per character.</summary>
    public bool IsSimple(char c) => (_simple[c >> 6] & (1UL << c)) != 0;
}
