using System.Text;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// One TrueType face (glyf outlines), read once per process: what layout needs (character map, advance
/// widths, line metrics) and where the tables are that a PDF subset copies. Immutable, so every render
/// on every thread shares it.
/// </summary>
/// <remarks>
/// Only TrueType outlines: a PDF embeds them as FontFile2 and they subset by copying glyph records.
/// CFF-based OpenType ('OTTO') is refused, as PDFsharp 6.2 does not subset it either. A TrueType
/// collection ('ttcf') is read at <see cref="FaceIndex"/>; its table offsets are from the start of the file.
/// </remarks>
internal sealed class FontFace
{
    private const uint TrueTypeCollection = 0x74746366; // 'ttcf'
    private const uint CffOutlines = 0x4F54544F;        // 'OTTO'

    private readonly Dictionary<uint, (int Offset, int Length)> _tables = [];
    private readonly ushort[] _bmp = new ushort[0x10000];
    private readonly Dictionary<int, ushort> _supplementary = [];
    private readonly ushort[] _advances;
    private readonly int _hmtxOffset;
    private readonly int _longMetrics;
    private readonly int _locaOffset;
    private readonly bool _longLoca;
    private readonly int _glyfOffset;
    private readonly int _glyfLength;

    private readonly Lazy<HarfBuzzSharp.Font> _shaping;

    public FontFace(FontData data, int faceIndex = 0)
    {
        _shaping = new Lazy<HarfBuzzSharp.Font>(CreateShapingFont);
        Data = data;
        FaceIndex = faceIndex;
        var directory = 0;
        if (data.UInt32(0) == TrueTypeCollection)
        {
            if (faceIndex >= data.UInt32(8))
                throw new InvalidDataException($"Font file {data.Name} has no face {faceIndex}.");
            directory = checked((int)data.UInt32(12 + 4 * faceIndex));
        }
        if (data.UInt32(directory) == CffOutlines)
            throw new NotSupportedException($"Font file {data.Name} has CFF outlines; only TrueType outlines can be embedded.");
        for (int i = 0, count = data.UInt16(directory + 4); i < count; i++)
        {
            var entry = directory + 12 + 16 * i;
            _tables[data.UInt32(entry)] = (checked((int)data.UInt32(entry + 8)), checked((int)data.UInt32(entry + 12)));
        }

        var head = Table("head");
        UnitsPerEm = data.UInt16(head + 18);
        BoundingBox = (data.Int16(head + 36), data.Int16(head + 38), data.Int16(head + 40), data.Int16(head + 42));
        _longLoca = data.Int16(head + 50) == 1;

        GlyphCount = data.UInt16(Table("maxp") + 4);
        var hhea = Table("hhea");
        _hmtxOffset = Table("hmtx");
        _longMetrics = data.UInt16(hhea + 34);
        _advances = ReadAdvances(data, _hmtxOffset, _longMetrics, GlyphCount);
        (Ascender, Descender, LineSpacing, CapHeight, IsBold) = ReadLineMetrics(data, hhea, TryTable("OS/2"), BoundingBox.YMax);
        var post = TryTable("post");
        ItalicAngle = post < 0 ? 0 : (int)data.UInt32(post + 4) / 65536.0;

        _locaOffset = Table("loca");
        (_glyfOffset, _glyfLength) = _tables.TryGetValue(Tag("glyf"), out var glyf)
            ? glyf
            : throw new NotSupportedException($"Font file {data.Name} has no TrueType outlines (no glyf table).");
        ReadCharacterMap(Table("cmap"));
        PostScriptName = ReadPostScriptName(TryTable("name")) ?? Path.GetFileNameWithoutExtension(data.Name);
    }

    public FontData Data { get; }

    public int FaceIndex { get; }

    /// <summary>The PostScript name (name ID 6), which PDF font names are built from.</summary>
    public string PostScriptName { get; }

    public int UnitsPerEm { get; }

    public int GlyphCount { get; }

    /// <summary>Distance from a line's top to its baseline, in font units (PDFsharp's, and WPF's, cell ascent).</summary>
    public int Ascender { get; }

    /// <summary>Distance from the baseline to a line's bottom, in font units, positive.</summary>
    public int Descender { get; }

    /// <summary>Distance from one line's top to the next, in font units.</summary>
    public int LineSpacing { get; }

    public int CapHeight { get; }

    public double ItalicAngle { get; }

    /// <summary>True for a bold face (OS/2 fsSelection), for the PDF font descriptor's flags.</summary>
    public bool IsBold { get; }

    public (short XMin, short YMin, short XMax, short YMax) BoundingBox { get; }

    /// <summary>The glyph for <paramref name="codePoint"/>, or 0 (.notdef) when the face has none.</summary>
    public ushort GlyphOf(int codePoint) =>
        codePoint < 0x10000 ? _bmp[codePoint] : _supplementary.GetValueOrDefault(codePoint);

    public bool Has(int codePoint) => GlyphOf(codePoint) != 0;

    /// <summary>Advance width in font units.</summary>
    public int Advance(ushort glyph) => _advances[glyph];

    /// <summary>Left side bearing in font units, from hmtx (a subset copies it with the glyph).</summary>
    public short LeftSideBearing(ushort glyph) => glyph < _longMetrics
        ? Data.Int16(_hmtxOffset + 4 * glyph + 2)
        : Data.Int16(_hmtxOffset + 4 * _longMetrics + 2 * (glyph - _longMetrics));

    /// <summary>The glyph's record in the glyf table (empty for a glyph without outline, such as a space).</summary>
    public ReadOnlySpan<byte> GlyphRecord(ushort glyph)
    {
        var (start, end) = _longLoca
            ? ((int)Data.UInt32(_locaOffset + 4 * glyph), (int)Data.UInt32(_locaOffset + 4 * glyph + 4))
            : (Data.UInt16(_locaOffset + 2 * glyph) * 2, Data.UInt16(_locaOffset + 2 * glyph + 2) * 2);
        if (end < start || end > _glyfLength)
            throw new InvalidDataException($"Font file {Data.Name}: glyph {glyph} lies outside the glyf table.");
        return Data.Slice(_glyfOffset + start, end - start);
    }

    /// <summary>The raw bytes of table <paramref name="tag"/>, or empty when the face has none.</summary>
    public ReadOnlySpan<byte> TableBytes(string tag) =>
        _tables.TryGetValue(Tag(tag), out var table) ? Data.Slice(table.Offset, table.Length) : [];

    /// <summary>
    /// HarfBuzz's view of the face, made on first use and shared by every thread: HarfBuzz fonts may shape
    /// concurrently as long as nobody changes them. Scaled to font units, so positions are exact integers.
    /// </summary>
    public HarfBuzzSharp.Font Shaping => _shaping.Value;

    public override string ToString() => PostScriptName;

    private HarfBuzzSharp.Font CreateShapingFont()
    {
        // The blob points into the mapping, which lives as long as the process: nothing to release.
        var blob = new HarfBuzzSharp.Blob(Data.Pointer, Data.Length, HarfBuzzSharp.MemoryMode.ReadOnly);
        blob.MakeImmutable();
        var face = new HarfBuzzSharp.Face(blob, FaceIndex);
        face.MakeImmutable();
        var font = new HarfBuzzSharp.Font(face);
        font.SetFunctionsOpenType();
        font.SetScale(UnitsPerEm, UnitsPerEm);
        return font;
    }

    private int Table(string tag) =>
        _tables.TryGetValue(Tag(tag), out var table) ? table.Offset : throw new InvalidDataException($"Font file {Data.Name} has no '{tag}' table.");

    private int TryTable(string tag) => _tables.TryGetValue(Tag(tag), out var table) ? table.Offset : -1;

    private static uint Tag(string tag) => (uint)(tag[0] << 24 | tag[1] << 16 | tag[2] << 8 | tag[3]);

    private static ushort[] ReadAdvances(FontData data, int hmtx, int longMetrics, int glyphCount)
    {
        // Glyphs past the last long metric repeat its advance (monospaced tails, such as CJK ideographs).
        var advances = new ushort[glyphCount];
        for (var g = 0; g < glyphCount; g++)
            advances[g] = g < longMetrics ? data.UInt16(hmtx + 4 * g) : advances[longMetrics - 1];
        return advances;
    }

    // The same line metrics PDFsharp (after WPF) derives, so that lines keep the spacing they had when PDFsharp laid them out.
    private static (int Ascender, int Descender, int LineSpacing, int CapHeight, bool Bold) ReadLineMetrics(FontData data, int hhea, int os2, int yMax)
    {
        int ascender = data.Int16(hhea + 4), descender = Math.Abs((int)data.Int16(hhea + 6)), lineGap = Math.Max((short)0, data.Int16(hhea + 8));
        if (os2 < 0)
            return (ascender, descender, ascender + descender + lineGap, yMax, false);

        int typoAscender = data.Int16(os2 + 68), typoDescender = data.Int16(os2 + 70), typoLineGap = data.Int16(os2 + 72);
        var selection = data.UInt16(os2 + 62);
        var bold = (selection & 0x20) != 0;
        var capHeight = data.UInt16(os2) >= 2 ? data.Int16(os2 + 88) : yMax;
        var useTypo = (selection & 0x80) != 0 && (typoAscender, typoDescender, typoLineGap) != (0, 0, 0);
        if (useTypo)
            return (typoAscender + typoLineGap, -typoDescender, typoAscender + typoLineGap - typoDescender, capHeight, bold);
        int winAscent = data.UInt16(os2 + 74), winDescent = Math.Abs((int)data.Int16(os2 + 76));
        return (winAscent, winDescent, Math.Max(lineGap + ascender + descender, winAscent + winDescent), capHeight, bold);
    }

    private void ReadCharacterMap(int cmap)
    {
        // Prefer a full-repertoire subtable (format 12), else the BMP one (format 4); Unicode or Windows platform.
        int best = -1, bestFormat = 0;
        for (int i = 0, count = Data.UInt16(cmap + 2); i < count; i++)
        {
            var record = cmap + 4 + 8 * i;
            int platform = Data.UInt16(record), encoding = Data.UInt16(record + 2);
            var subtable = cmap + (int)Data.UInt32(record + 4);
            var format = Data.UInt16(subtable);
            var unicode = platform == 0 || (platform == 3 && encoding is 1 or 10);
            if (!unicode || format is not (4 or 12) || format <= bestFormat)
                continue;
            best = subtable;
            bestFormat = format;
        }
        if (best < 0)
            throw new InvalidDataException($"Font file {Data.Name} has no Unicode character map.");
        if (bestFormat == 12)
            ReadFormat12(best);
        else
            ReadFormat4(best);
    }

    private void ReadFormat4(int subtable)
    {
        var segments = Data.UInt16(subtable + 6) / 2;
        int ends = subtable + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, rangeOffsets = deltas + 2 * segments;
        for (var s = 0; s < segments; s++)
        {
            int end = Data.UInt16(ends + 2 * s), start = Data.UInt16(starts + 2 * s), delta = Data.UInt16(deltas + 2 * s);
            var rangeOffset = Data.UInt16(rangeOffsets + 2 * s);
            for (var c = start; c <= end && c != 0xFFFF; c++)
            {
                int glyph;
                if (rangeOffset == 0)
                    glyph = (c + delta) & 0xFFFF;
                else
                {
                    glyph = Data.UInt16(rangeOffsets + 2 * s + rangeOffset + 2 * (c - start));
                    if (glyph != 0)
                        glyph = (glyph + delta) & 0xFFFF;
                }
                if (glyph < GlyphCount)
                    _bmp[c] = (ushort)glyph;
            }
        }
    }

    private void ReadFormat12(int subtable)
    {
        var groups = (int)Data.UInt32(subtable + 12);
        for (var g = 0; g < groups; g++)
        {
            var group = subtable + 16 + 12 * g;
            long start = Data.UInt32(group), end = Data.UInt32(group + 4), glyph = Data.UInt32(group + 8);
            for (var c = start; c <= end && c <= 0x10FFFF; c++, glyph++)
            {
                if (glyph >= GlyphCount)
                    break;
                if (c < 0x10000)
                    _bmp[c] = (ushort)glyph;
                else
                    _supplementary[(int)c] = (ushort)glyph;
            }
        }
    }

    private string? ReadPostScriptName(int name)
    {
        if (name < 0)
            return null;
        int count = Data.UInt16(name + 2), strings = name + Data.UInt16(name + 4);
        for (var i = 0; i < count; i++)
        {
            var record = name + 6 + 12 * i;
            int platform = Data.UInt16(record), nameId = Data.UInt16(record + 6);
            if (nameId != 6 || platform is not (1 or 3))
                continue;
            var bytes = Data.Slice(strings + Data.UInt16(record + 10), Data.UInt16(record + 8));
            var text = platform == 3 ? Encoding.BigEndianUnicode.GetString(bytes) : Encoding.Latin1.GetString(bytes);
            // A PDF name may not hold spaces or delimiters; PostScript names should not have them anyway.
            var clean = string.Concat(text.Where(c => c is > ' ' and < '\u007f' and not ('(' or ')' or '<' or '>' or '[' or ']' or '{' or '}' or '/' or '%')));
            if (clean.Length > 0)
                return clean;
        }
        return null;
    }
}
