namespace Sts.PdfWorker.Rendering.Text.Unicode;

/// <summary>
/// The Bidi_Class and Bidi_Paired_Bracket properties, read once per process from the embedded Unicode 15.0
/// data files (Rendering/Text/Unicode/). Lookups are two array reads.
/// </summary>
internal static class UnicodeBidiData
{
    private const int BlockBits = 8;
    private const int BlockSize = 1 << BlockBits;

    private static readonly Lazy<(ushort[] Index, BidiClass[] Blocks)> Classes = new(LoadClasses);
    private static readonly Lazy<Dictionary<int, (int Pair, bool Opening)>> Brackets = new(LoadBrackets);

    public static BidiClass ClassOf(int codePoint)
    {
        var (index, blocks) = Classes.Value;
        if ((uint)codePoint > 0x10FFFF)
            return BidiClass.L;
        return blocks[index[codePoint >> BlockBits] * BlockSize + (codePoint & (BlockSize - 1))];
    }

    /// <summary>The other bracket of a Bidi_Paired_Bracket pair, and whether this one opens; false for other characters.</summary>
    public static bool IsBracket(int codePoint, out int pair, out bool opening)
    {
        var found = Brackets.Value.TryGetValue(codePoint, out var bracket);
        (pair, opening) = bracket;
        return found;
    }

    /// <summary>Reads the data now, so that a damaged resource fails start-up rather than a render.</summary>
    public static void Load()
    {
        _ = Classes.Value;
        _ = Brackets.Value;
    }

    private static (ushort[] Index, BidiClass[] Blocks) LoadClasses()
    {
        var all = new BidiClass[0x110000];
        var names = Enum.GetValues<BidiClass>().ToDictionary(c => c.ToString(), c => c, StringComparer.Ordinal);
        // Long names appear in the "@missing" lines, which give the defaults of unassigned code points.
        var longNames = new Dictionary<string, BidiClass>(StringComparer.Ordinal)
        {
            ["Left_To_Right"] = BidiClass.L, ["Right_To_Left"] = BidiClass.R, ["Arabic_Letter"] = BidiClass.AL,
            ["European_Terminator"] = BidiClass.ET, ["Boundary_Neutral"] = BidiClass.BN,
        };
        foreach (var line in Lines("DerivedBidiClass.txt"))
        {
            const string missing = "# @missing:";
            if (line.StartsWith(missing, StringComparison.Ordinal))
            {
                var (first, last, value) = Entry(line[missing.Length..]);
                Array.Fill(all, longNames[value], first, last - first + 1);
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                var (first, last, value) = Entry(line);
                Array.Fill(all, names[value], first, last - first + 1);
            }
        }

        // Two stages: identical 256-entry blocks are stored once (Unicode has long uniform stretches).
        var index = new ushort[0x110000 >> BlockBits];
        var blocks = new List<BidiClass>();
        var seen = new Dictionary<string, ushort>(StringComparer.Ordinal);
        for (var b = 0; b < index.Length; b++)
        {
            var block = all.AsSpan(b * BlockSize, BlockSize);
            var key = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(block));
            if (!seen.TryGetValue(key, out var at))
            {
                at = (ushort)(blocks.Count / BlockSize);
                seen[key] = at;
                blocks.AddRange(block.ToArray());
            }
            index[b] = at;
        }
        return (index, [.. blocks]);
    }

    private static Dictionary<int, (int Pair, bool Opening)> LoadBrackets()
    {
        var brackets = new Dictionary<int, (int, bool)>();
        foreach (var line in Lines("BidiBrackets.txt"))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var fields = line.Split('#')[0].Split(';', StringSplitOptions.TrimEntries);
            brackets[Hex(fields[0])] = (Hex(fields[1]), fields[2] == "o");
        }
        return brackets;
    }

    // "0041..005A    ; L # comment" or " 0590..05FF; Right_To_Left"
    private static (int First, int Last, string Value) Entry(string line)
    {
        var fields = line.Split('#')[0].Split(';', StringSplitOptions.TrimEntries);
        var range = fields[0].Split("..");
        var first = Hex(range[0]);
        return (first, range.Length > 1 ? Hex(range[1]) : first, fields[1]);
    }

    private static int Hex(string text) => UnicodeDataFile.Hex(text);

    private static IEnumerable<string> Lines(string file) => UnicodeDataFile.Lines(file);
}
