using System.Globalization;
using System.IO.Compression;
using Sts.PdfWorker.Rendering.Text.Unicode;

namespace Sts.PdfWorker.Tests.Unicode;

/// <summary>
/// Every case of Unicode 15.0's BidiCharacterTest.txt: each line is a paragraph with a direction (LTR, RTL or
/// auto), and the resolved paragraph level, the levels after L1 and the visual order after L2 must match.
/// All of them apply: the renderer resolves whole paragraphs the same way, with no line breaks inside a case.
/// </summary>
public sealed class BidiConformanceTests
{
    [Fact]
    public void Every_case_of_the_unicode_bidi_character_test_passes()
    {
        var failures = new List<string>();
        var cases = 0;
        foreach (var (line, number) in Lines())
        {
            var fields = line.Split(';');
            var codePoints = fields[0].Split(' ').Select(Hex).ToArray();
            var direction = fields[1] switch { "0" => 0, "1" => 1, _ => -1 };
            var expectedParagraph = byte.Parse(fields[2], CultureInfo.InvariantCulture);
            var expectedLevels = fields[3].Split(' ');
            var expectedOrder = fields[4].Length == 0 ? [] : fields[4].Split(' ').Select(int.Parse).ToArray();
            cases++;

            var paragraph = BidiParagraph.Resolve(codePoints, direction);
            var levels = paragraph.LineLevels(0, codePoints.Length);
            var actualLevels = levels.Select((l, i) => paragraph.IsRemoved(i) ? "x" : l.ToString(CultureInfo.InvariantCulture));
            var kept = Enumerable.Range(0, codePoints.Length).Where(i => !paragraph.IsRemoved(i)).ToArray();
            var actualOrder = BidiParagraph.VisualOrder(kept.Select(i => levels[i]).ToArray()).Select(k => kept[k]);

            if (paragraph.ParagraphLevel != expectedParagraph || !actualLevels.SequenceEqual(expectedLevels) || !actualOrder.SequenceEqual(expectedOrder))
            {
                failures.Add($"line {number}: {line}\n   got paragraph {paragraph.ParagraphLevel}; levels {string.Join(' ', actualLevels)}; order {string.Join(' ', actualOrder)}");
            }
        }

        Assert.Equal(91_707, cases);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases fail; the first ones:\n{string.Join('\n', failures.Take(10))}");
    }

    private static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static IEnumerable<(string Line, int Number)> Lines()
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Unicode", "BidiCharacterTest.txt.gz"));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        Assert.Equal("# BidiCharacterTest-15.0.0.txt", reader.ReadLine());
        var number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length > 0 && line[0] != '#')
                yield return (line, number);
        }
    }
}
