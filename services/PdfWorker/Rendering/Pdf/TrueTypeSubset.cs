using System.Buffers.Binary;
using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Builds a TrueType font file holding only some glyphs of a face, renumbered 0..n-1 in the order given, for
/// embedding as FontFile2 under a CIDFontType2 with an identity CID-to-glyph map. Keeps the tables a PDF
/// TrueType program needs (head, hhea, maxp, hmtx, loca, glyf and the hinting tables cvt, fpgm, prep); no
/// cmap, name or post, which a CID-keyed font does not use. Same glyphs, same bytes.
/// </summary>
internal static class TrueTypeSubset
{
    private const ushort ArgsAreWords = 0x0001;
    private const ushort HasScale = 0x0008;
    private const ushort MoreComponents = 0x0020;
    private const ushort HasXYScale = 0x0040;
    private const ushort HasTwoByTwo = 0x0080;

    /// <summary>Appends to <paramref name="glyphs"/> the components of its composite glyphs that it lacks, recursively.</summary>
    public static void AddComponents(FontFace face, List<ushort> glyphs, Dictionary<ushort, int> indexOf)
    {
        for (var i = 0; i < glyphs.Count; i++)
        {
            foreach (var component in Components(face.GlyphRecord(glyphs[i])))
            {
                if (indexOf.TryAdd(component, glyphs.Count))
                    glyphs.Add(component);
            }
        }
    }

    /// <summary>The font file for <paramref name="glyphs"/> (glyph 0 first, composites' components included).</summary>
    public static byte[] Build(FontFace face, IReadOnlyList<ushort> glyphs, IReadOnlyDictionary<ushort, int> indexOf)
    {
        var count = glyphs.Count;
        var glyf = new List<byte>(count * 64);
        var loca = new byte[4 * (count + 1)];
        var hmtx = new byte[4 * count];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(4 * i), (uint)glyf.Count);
            var record = face.GlyphRecord(glyphs[i]).ToArray();
            RenumberComponents(record, indexOf);
            glyf.AddRange(record);
            while (glyf.Count % 4 != 0)
                glyf.Add(0);
            BinaryPrimitives.WriteUInt16BigEndian(hmtx.AsSpan(4 * i), (ushort)face.Advance(glyphs[i]));
            BinaryPrimitives.WriteInt16BigEndian(hmtx.AsSpan(4 * i + 2), face.LeftSideBearing(glyphs[i]));
        }
        BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(4 * count), (uint)glyf.Count);

        var head = face.TableBytes("head").ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(8), 0);   // checkSumAdjustment, set below
        BinaryPrimitives.WriteInt16BigEndian(head.AsSpan(50), 1);   // long loca offsets
        var hhea = face.TableBytes("hhea").ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(hhea.AsSpan(34), (ushort)count);
        var maxp = face.TableBytes("maxp").ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(maxp.AsSpan(4), (ushort)count);

        var tables = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["glyf"] = [.. glyf],
            ["head"] = head,
            ["hhea"] = hhea,
            ["hmtx"] = hmtx,
            ["loca"] = loca,
            ["maxp"] = maxp,
        };
        foreach (var hinting in (ReadOnlySpan<string>)["cvt ", "fpgm", "prep"])
        {
            var bytes = face.TableBytes(hinting);
            if (!bytes.IsEmpty)
                tables[hinting] = bytes.ToArray();
        }
        return Assemble(tables);
    }

    private static byte[] Assemble(SortedDictionary<string, byte[]> tables)
    {
        var count = tables.Count;
        var directorySize = 12 + 16 * count;
        var size = directorySize + tables.Values.Sum(t => (t.Length + 3) & ~3);
        var file = new byte[size];
        var span = file.AsSpan();
        var power = 1;
        var log = 0;
        while (power * 2 <= count)
        {
            power *= 2;
            log++;
        }
        BinaryPrimitives.WriteUInt32BigEndian(span, 0x00010000);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)count);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)(power * 16));
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], (ushort)log);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)(count * 16 - power * 16));

        var entry = 12;
        var offset = directorySize;
        var headOffset = 0;
        foreach (var (tag, bytes) in tables)
        {
            for (var i = 0; i < 4; i++)
                span[entry + i] = (byte)tag[i];
            BinaryPrimitives.WriteUInt32BigEndian(span[(entry + 4)..], Checksum(bytes));
            BinaryPrimitives.WriteUInt32BigEndian(span[(entry + 8)..], (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(span[(entry + 12)..], (uint)bytes.Length);
            bytes.CopyTo(span[offset..]);
            if (tag == "head")
                headOffset = offset;
            entry += 16;
            offset += (bytes.Length + 3) & ~3;
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[(headOffset + 8)..], unchecked(0xB1B0AFBA - Checksum(file)));
        return file;
    }

    private static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        uint sum = 0;
        for (var i = 0; i < bytes.Length; i += 4)
        {
            uint word = 0;
            for (var j = 0; j < 4; j++)
                word = (word << 8) | (i + j < bytes.Length ? bytes[i + j] : 0u);
            sum = unchecked(sum + word);
        }
        return sum;
    }

    private static List<ushort> Components(ReadOnlySpan<byte> record)
    {
        var components = new List<ushort>();
        ForEachComponent(record, (at, glyph) => components.Add(glyph));
        return components;
    }

    private static void RenumberComponents(byte[] record, IReadOnlyDictionary<ushort, int> indexOf) =>
        ForEachComponent(record, (at, glyph) => BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(at), (ushort)indexOf[glyph]));

    // Calls back with the position and glyph index of each component of a composite glyph; simple glyphs have none.
    private static void ForEachComponent(ReadOnlySpan<byte> record, Action<int, ushort> component)
    {
        if (record.Length < 10 || BinaryPrimitives.ReadInt16BigEndian(record) >= 0)
            return;
        var at = 10;
        ushort flags;
        do
        {
            flags = BinaryPrimitives.ReadUInt16BigEndian(record[at..]);
            component(at + 2, BinaryPrimitives.ReadUInt16BigEndian(record[(at + 2)..]));
            at += 4 + ((flags & ArgsAreWords) != 0 ? 4 : 2);
            if ((flags & HasScale) != 0)
                at += 2;
            else if ((flags & HasXYScale) != 0)
                at += 4;
            else if ((flags & HasTwoByTwo) != 0)
                at += 8;
        }
        while ((flags & MoreComponents) != 0);
    }
}
