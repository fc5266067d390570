using System.Text;
using HarfBuzzSharp;
using Sts.PdfWorker.Rendering.Text.Unicode;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// Lays out a paragraph the fast path cannot: each character gets a face by its script (falling back through
/// the bundled faces, and to a visible replacement when none has it), runs of one face, script and bidi level
/// are shaped with HarfBuzz, lines are broken where <see cref="LineBreaks"/> allows (between grapheme clusters
/// when a word is wider than the line), and each line's runs are put in visual order by the bidi algorithm.
/// </summary>
internal static class ShapedParagraph
{
    private const int Replacement = 0xFFFD;

    private sealed class Item
    {
        public int Start;
        public int End;
        public byte Level;
        public required FontFace Face;
        public bool Missing;
        public Script Script;
        public bool SimulateBold;
        public (ushort Glyph, int Cluster, int XAdvance, int XOffset, int YOffset)[] Glyphs = [];
    }

    public static void Wrap(string text, double maxWidth, TextFont font, List<TextLine> lines)
    {
        var codePoints = CodePoints(text);
        var n = codePoints.Length;
        if (n == 0)
        {
            lines.Add(TextLine.Empty);
            return;
        }
        var paragraph = BidiParagraph.Resolve(codePoints);
        var items = Itemize(codePoints, paragraph, font.Faces);

        // Each cluster's advance is put on its first character, so any range of whole clusters can be measured.
        var advance = new double[n];
        var clusterStart = new bool[n + 1];
        clusterStart[n] = true;
        foreach (var item in items)
        {
            item.Glyphs = Glyphs(item, codePoints, item.Start, item.End, item.Level);
            var scale = font.Size / item.Face.UnitsPerEm;
            clusterStart[item.Start] = true;
            foreach (var glyph in item.Glyphs)
            {
                advance[glyph.Cluster] += glyph.XAdvance * scale;
                clusterStart[glyph.Cluster] = true;
            }
        }
        var prefix = new double[n + 1];
        for (var i = 0; i < n; i++)
            prefix[i + 1] = prefix[i] + advance[i];

        foreach (var (start, end) in Break(codePoints, prefix, clusterStart, maxWidth))
            lines.Add(Line(codePoints, paragraph, items, start, end, font));
    }

    private static int[] CodePoints(string text)
    {
        var codePoints = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                codePoints.Add(char.ConvertToUtf32(text[i], text[++i]));
            else
                codePoints.Add(char.IsSurrogate(text[i]) ? Replacement : text[i]);
        }
        return [.. codePoints];
    }

    // Controls that steer bidi or shaping and draw nothing: they go with the face of the text around them.
    private static bool IsIgnorable(int codePoint) =>
        UnicodeBidiData.ClassOf(codePoint) is BidiClass.BN or BidiClass.LRE or BidiClass.RLE or BidiClass.LRO or BidiClass.RLO
            or BidiClass.PDF or BidiClass.LRI or BidiClass.RLI or BidiClass.FSI or BidiClass.PDI
        || codePoint is >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF;

    private static List<Item> Itemize(int[] codePoints, BidiParagraph paragraph, FontSet faces)
    {
        var n = codePoints.Length;
        var scripts = Scripts.Resolve(codePoints);
        var chosen = new FontFace?[n];
        var missing = new bool[n];
        for (var i = 0; i < n; i++)
        {
            if (IsIgnorable(codePoints[i]))
                continue;
            chosen[i] = faces.FaceFor(codePoints[i], scripts[i]);
            missing[i] = chosen[i] is null;
            chosen[i] ??= faces.Primary;
        }
        // Ignorables take the face before them, or at the start the first one after them.
        var first = Array.FindIndex(chosen, f => f is not null);
        for (var i = 0; i < n; i++)
            chosen[i] ??= i > 0 ? chosen[i - 1] : first >= 0 ? chosen[first] : faces.Primary;

        var items = new List<Item>();
        for (var i = 0; i < n; i++)
        {
            var level = paragraph.Level(i);
            var last = items.Count > 0 ? items[^1] : null;
            if (last is not null && last.Level == level && ReferenceEquals(last.Face, chosen[i]) && last.Missing == missing[i] && last.Script == scripts[i])
            {
                last.End = i + 1;
                continue;
            }
            items.Add(new Item
            {
                Start = i, End = i + 1, Level = level, Face = chosen[i]!, Missing = missing[i], Script = scripts[i],
                SimulateBold = faces.SimulatesBold(chosen[i]!),
            });
        }
        return items;
    }

    // HarfBuzz's glyphs for [start, end) of an item; for characters no face has, the primary face's replacement glyph each.
    private static (ushort Glyph, int Cluster, int XAdvance, int XOffset, int YOffset)[] Glyphs(Item item, int[] codePoints, int start, int end, byte level)
    {
        var rightToLeft = (level & 1) == 1;
        if (!item.Missing)
            return Shaper.Shape(item.Face, codePoints, start, end, rightToLeft, item.Script);
        var glyph = item.Face.GlyphOf(Replacement);
        var advance = item.Face.Advance(glyph);
        var glyphs = new (ushort, int, int, int, int)[end - start];
        for (var i = 0; i < glyphs.Length; i++)
            glyphs[rightToLeft ? glyphs.Length - 1 - i : i] = (glyph, start + i, advance, 0, 0);
        return glyphs;
    }

    // Greedy: each line takes as many break-separated segments as fit; a segment wider than a line is cut between clusters.
    private static List<(int Start, int End)> Break(int[] codePoints, double[] prefix, bool[] clusterStart, double maxWidth)
    {
        var n = codePoints.Length;
        var lines = new List<(int, int)>();
        var start = 0;
        var fit = start;
        for (var at = 1; at <= n; at++)
        {
            if (at < n && (!clusterStart[at] || !LineBreaks.AllowedBefore(codePoints, at)))
                continue;
            while (true)
            {
                var end = TrimEnd(codePoints, start, at);
                if (prefix[end] - prefix[start] <= maxWidth)
                {
                    fit = at;
                    break;
                }
                if (fit > start)
                {
                    lines.Add((start, TrimEnd(codePoints, start, fit)));
                    start = fit;
                    continue;
                }
                // One segment wider than the line: as many whole clusters as fit, at least one.
                var cut = NextCluster(clusterStart, start);
                while (cut < end)
                {
                    var next = NextCluster(clusterStart, cut);
                    if (prefix[next] - prefix[start] > maxWidth)
                        break;
                    cut = next;
                }
                lines.Add((start, cut));
                start = fit = cut;
                if (TrimEnd(codePoints, start, at) == start)
                {
                    // Only the spaces the line broke at are left of this segment.
                    start = fit = at;
                    break;
                }
            }
        }
        if (start < n || lines.Count == 0)
            lines.Add((start, TrimEnd(codePoints, start, n)));
        return lines;
    }

    private static int NextCluster(bool[] clusterStart, int at)
    {
        do
            at++;
        while (!clusterStart[at]);
        return at;
    }

    private static int TrimEnd(int[] codePoints, int start, int end)
    {
        while (end > start && LineBreaks.IsSpace(codePoints[end - 1]))
            end--;
        return end;
    }

    private static TextLine Line(int[] codePoints, BidiParagraph paragraph, List<Item> items, int start, int end, TextFont font)
    {
        var levels = paragraph.LineLevels(start, end);
        var pieces = new List<(Item Item, int Start, int End, byte Level)>();
        foreach (var item in items)
        {
            var from = Math.Max(item.Start, start);
            var to = Math.Min(item.End, end);
            for (var i = from; i < to;)
            {
                var level = levels[i - start];
                var pieceEnd = i + 1;
                while (pieceEnd < to && levels[pieceEnd - start] == level)
                    pieceEnd++;
                pieces.Add((item, i, pieceEnd, level));
                i = pieceEnd;
            }
        }

        var runs = new List<GlyphRun>(pieces.Count);
        var width = 0.0;
        var missing = 0;
        foreach (var index in BidiParagraph.VisualOrder(pieces.Select(p => p.Level).ToArray()))
        {
            var (item, from, to, level) = pieces[index];
            var whole = from == item.Start && to == item.End && level == item.Level;
            var glyphs = whole ? item.Glyphs : Glyphs(item, codePoints, from, to, level);
            var run = new GlyphRun(item.Face, item.SimulateBold, (level & 1) == 1, Text(codePoints, from, to), WithText(glyphs, codePoints, to, item.Missing, (level & 1) == 1));
            runs.Add(run);
            width += run.Advance * font.Size / item.Face.UnitsPerEm;
            missing += item.Missing ? to - from : glyphs.Count(g => g.Glyph == 0);
        }
        return new TextLine(Text(codePoints, start, end), width, paragraph.ParagraphLevel == 1, runs, missing);
    }

    private static string Text(int[] codePoints, int start, int end)
    {
        var text = new StringBuilder(end - start);
        for (var i = start; i < end; i++)
            text.Append(char.ConvertFromUtf32(codePoints[i]));
        return text.ToString();
    }

    // The characters each glyph stands for: a cluster's text goes with its first glyph, the others stand for none.
    // A right-to-left ligature stands for its presentation form (see PresentationForms) where Unicode has one.
    private static ShapedGlyph[] WithText(
        (ushort Glyph, int Cluster, int XAdvance, int XOffset, int YOffset)[] glyphs, int[] codePoints, int to, bool missing, bool rightToLeft)
    {
        var starts = glyphs.Select(g => g.Cluster).Distinct().Order().ToArray();
        var given = new HashSet<int>();
        var shaped = new ShapedGlyph[glyphs.Length];
        for (var i = 0; i < glyphs.Length; i++)
        {
            var (glyph, cluster, xAdvance, xOffset, yOffset) = glyphs[i];
            var text = "";
            if (given.Add(cluster))
            {
                var next = Array.BinarySearch(starts, cluster) + 1;
                var clusterEnd = next < starts.Length ? starts[next] : to;
                text = missing ? "\uFFFD" : string.Concat(codePoints[cluster..clusterEnd].Select(char.ConvertFromUtf32));
                if (rightToLeft && clusterEnd - cluster > 1 && PresentationForms.TryGet(text, out var form))
                    text = char.ConvertFromUtf32(form);
            }
            shaped[i] = new ShapedGlyph(glyph, xAdvance, xOffset, yOffset, text);
        }
        return shaped;
    }
}
