using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Filters;
using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// One face as used by one document: hands out character codes (CIDs) for its glyphs as text is drawn,
/// and at the end writes the subset font, its widths and its ToUnicode map.
/// </summary>
/// <remarks>
/// A Type0 font with Identity-H encoding over a CIDFontType2 whose CIDs are glyph numbers in the subset.
/// CIDs are given out in order of first use, so content streams can be written at once and the subset's
/// glyph table is as small as the glyphs used. The ToUnicode map gives each CID the text of its first
/// use, which is what copy and search see where no ActualText covers the glyph.
/// </remarks>
internal sealed class EmbeddedFont
{
    private readonly ushort[] _cidOfGlyph;
    private readonly List<ushort> _glyphs = [0];
    private readonly List<string?> _texts = [null];

    public EmbeddedFont(FontFace face, string resourceName)
    {
        Face = face;
        ResourceName = resourceName;
        _cidOfGlyph = new ushort[face.GlyphCount];
    }

    public FontFace Face { get; }

    /// <summary>The font's name in the pages' resources, with its slash: "/F1".</summary>
    public string ResourceName { get; }

    /// <summary>The CID of <paramref name="glyph"/>, whose text is <paramref name="codePoint"/> alone.</summary>
    public ushort Cid(ushort glyph, int codePoint)
    {
        var cid = _cidOfGlyph[glyph];
        return cid != 0 || glyph == 0 ? cid : Add(glyph, char.ConvertFromUtf32(codePoint));
    }

    /// <summary>The CID of <paramref name="glyph"/>, whose text is <paramref name="text"/> (a ligature's characters, or none for a mark).</summary>
    public ushort Cid(ushort glyph, string text)
    {
        var cid = _cidOfGlyph[glyph];
        return cid != 0 || glyph == 0 ? cid : Add(glyph, text);
    }

    /// <summary>Writes the font's objects into <paramref name="document"/> and returns its Type0 font dictionary.</summary>
    public PdfDictionary Write(PdfDocument document)
    {
        var used = _glyphs.Count;
        var glyphs = new List<ushort>(_glyphs);
        var indexOf = new Dictionary<ushort, int>(glyphs.Select((g, i) => KeyValuePair.Create(g, i)));
        TrueTypeSubset.AddComponents(Face, glyphs, indexOf);
        var program = TrueTypeSubset.Build(Face, glyphs, indexOf);
        var name = $"{SubsetTag(program)}+{Face.PostScriptName}";
        var scale = 1000.0 / Face.UnitsPerEm;

        var fontFile = Stream(document, program);
        fontFile.Elements.SetInteger("/Length1", program.Length);

        var descriptor = Add(document, new PdfDictionary(document));
        descriptor.Elements.SetName("/Type", "/FontDescriptor");
        descriptor.Elements.SetName("/FontName", "/" + name);
        // Symbolic (4): the glyphs are addressed by CID, not through a standard Latin encoding.
        descriptor.Elements.SetInteger("/Flags", 4);
        var (xMin, yMin, xMax, yMax) = Face.BoundingBox;
        descriptor.Elements["/FontBBox"] = Numbers(document, [xMin * scale, yMin * scale, xMax * scale, yMax * scale]);
        descriptor.Elements.SetReal("/ItalicAngle", Face.ItalicAngle);
        descriptor.Elements.SetReal("/Ascent", Round(Face.Ascender * scale));
        descriptor.Elements.SetReal("/Descent", Round(-Face.Descender * scale));
        descriptor.Elements.SetReal("/CapHeight", Round(Face.CapHeight * scale));
        descriptor.Elements.SetInteger("/StemV", Face.IsBold ? 120 : 80);
        descriptor.Elements.SetReference("/FontFile2", fontFile);

        var cidFont = Add(document, new PdfDictionary(document));
        cidFont.Elements.SetName("/Type", "/Font");
        cidFont.Elements.SetName("/Subtype", "/CIDFontType2");
        cidFont.Elements.SetName("/BaseFont", "/" + name);
        var systemInfo = new PdfDictionary(document);
        systemInfo.Elements.SetString("/Registry", "Adobe");
        systemInfo.Elements.SetString("/Ordering", "Identity");
        systemInfo.Elements.SetInteger("/Supplement", 0);
        cidFont.Elements["/CIDSystemInfo"] = systemInfo;
        cidFont.Elements.SetReference("/FontDescriptor", descriptor);
        cidFont.Elements.SetName("/CIDToGIDMap", "/Identity");
        var widths = new PdfArray(document);
        widths.Elements.Add(new PdfInteger(0));
        widths.Elements.Add(Numbers(document, _glyphs.Take(used).Select(g => Face.Advance(g) * scale)));
        cidFont.Elements["/W"] = widths;

        var type0 = Add(document, new PdfDictionary(document));
        type0.Elements.SetName("/Type", "/Font");
        type0.Elements.SetName("/Subtype", "/Type0");
        type0.Elements.SetName("/BaseFont", "/" + name);
        type0.Elements.SetName("/Encoding", "/Identity-H");
        var descendants = new PdfArray(document);
        descendants.Elements.Add(cidFont.Reference!);
        type0.Elements["/DescendantFonts"] = descendants;
        type0.Elements.SetReference("/ToUnicode", Stream(document, ToUnicodeMap()));
        return type0;
    }

    private ushort Add(ushort glyph, string text)
    {
        if (_glyphs.Count == ushort.MaxValue)
            throw new InvalidOperationException($"More than {ushort.MaxValue - 1} glyphs of {Face} in one document.");
        var cid = (ushort)_glyphs.Count;
        _cidOfGlyph[glyph] = cid;
        _glyphs.Add(glyph);
        _texts.Add(text);
        return cid;
    }

    private byte[] ToUnicodeMap()
    {
        var map = new StringBuilder(64 * _texts.Count + 512);
        map.Append("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
            .Append("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
            .Append("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n")
            .Append("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        var entries = Enumerable.Range(1, _texts.Count - 1).Where(cid => !string.IsNullOrEmpty(_texts[cid])).ToArray();
        // At most 100 entries per bfchar block.
        foreach (var block in entries.Chunk(100))
        {
            map.Append(CultureInfo.InvariantCulture, $"{block.Length} beginbfchar\n");
            foreach (var cid in block)
            {
                map.Append(CultureInfo.InvariantCulture, $"<{cid:X4}> <");
                foreach (var c in _texts[cid]!)
                    map.Append(CultureInfo.InvariantCulture, $"{(int)c:X4}");
                map.Append(">\n");
            }
            map.Append("endbfchar\n");
        }
        map.Append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        return Encoding.ASCII.GetBytes(map.ToString());
    }

    // Six capital letters naming this subset: taken from its bytes, so the same glyphs give the same name.
    private static string SubsetTag(byte[] program)
    {
        var hash = SHA256.HashData(program);
        return string.Create(6, hash, (tag, h) =>
        {
            for (var i = 0; i < tag.Length; i++)
                tag[i] = (char)('A' + h[i] % 26);
        });
    }

    private static PdfDictionary Stream(PdfDocument document, byte[] bytes)
    {
        var stream = Add(document, new PdfDictionary(document));
        stream.CreateStream(Filtering.FlateDecode.Encode(bytes, document.Options.FlateEncodeMode));
        stream.Elements.SetName("/Filter", "/FlateDecode");
        return stream;
    }

    private static PdfArray Numbers(PdfDocument document, IEnumerable<double> values)
    {
        var array = new PdfArray(document);
        foreach (var value in values)
            array.Elements.Add(new PdfReal(Round(value)));
        return array;
    }

    private static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    private static PdfDictionary Add(PdfDocument document, PdfDictionary dictionary)
    {
        document.Internals.AddObject(dictionary);
        return dictionary;
    }
}
