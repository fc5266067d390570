using System.Globalization;
using System.Text.RegularExpressions;
using Sts.Api.V1;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Rendering.Pdf;
using Sts.PdfWorker.Tests.Support;

namespace Sts.PdfWorker.Tests.Rendering;

/// <summary>
/// The international room (Rooms/international.json) through the real renderer and poppler: which fonts are
/// embedded, that every script comes back out of the text layer, and how right-to-left cells are placed.
/// </summary>
public sealed partial class InternationalPdfTests
{
    private static readonly Lazy<(Room Room, byte[] Pdf, string Text)> Rendered = new(() =>
    {
        var room = Snapshots.International();
        var pdf = new PdfRenderer().Render(Snapshots.For(room, "pdf"), room).Content;
        return (room, pdf, PdfText.Extract(pdf));
    });

    [Fact]
    public void Pdffonts_lists_a_subset_of_each_script_s_font_embedded_with_a_unicode_map()
    {
        var fonts = PdfFont.List(Rendered.Value.Pdf);

        Assert.Equal(
            ["DejaVuSans", "DejaVuSans-Bold", "NotoSansArabic-Bold", "NotoSansArabic-Regular", "NotoSansDevanagari-Regular",
             "NotoSansHebrew-Regular", "NotoSansThai-Regular", "WenQuanYiZenHei"],
            fonts.Select(f => f.BaseName).Order(StringComparer.Ordinal));
        Assert.All(fonts, font =>
        {
            Assert.Matches("^[A-Z]{6}\\+", font.Name);
            Assert.Equal("CID TrueType", font.Type);
            Assert.Equal("Identity-H", font.Encoding);
            Assert.True(font.Embedded && font.Subset && font.ToUnicode, $"{font.Name}: emb {font.Embedded}, sub {font.Subset}, uni {font.ToUnicode}");
        });
    }

    [Fact]
    public void Only_the_glyphs_used_are_embedded_so_the_file_stays_small()
    {
        // The CJK font alone is 17 MB; the whole report with eight font subsets stays far below a megabyte.
        Assert.InRange(Rendered.Value.Pdf.Length, 20_000, 250_000);
    }

    /// <summary>
    /// Every cell of the room with text in another script than Latin: Han, Kana, Hangul, Thai and Devanagari come
    /// back exactly; Arabic and Hebrew come back in logical order once pdftotext's bidi marks are dropped and
    /// NFKC turns ligatures back into letters. Each cell is cut out of its page by its column and row, because
    /// pdftotext interleaves the lines of neighbouring cells that wrap.
    /// </summary>
    /// <remarks>
    /// Two kinds of cell depend on how pdftotext guesses logical order back from the page, which is not the
    /// bidi algorithm the page was laid out with: numbers with hyphens or commas next to them inside
    /// right-to-left text (the algorithm draws "2026-09-02" there as "02-09-2026", and a comma after a number
    /// to its left; pdftotext reads both as one left-to-right number), and right-to-left phrases inside a
    /// left-to-right paragraph that wraps. For those the test asks that every character comes back, not their order.
    /// </remarks>
    [Fact]
    public void Every_script_comes_back_out_of_every_cell()
    {
        var (room, pdf, _) = Rendered.Value;
        var words = PdfText.Words(pdf);
        var cells = Cells(room).Where(c => !IsLatin(c.Text)).ToArray();
        Assert.True(cells.Length >= 30, $"only {cells.Length} cells in other scripts");

        var failures = new List<string>();
        var ordered = 0;
        foreach (var (key, keyX, x, width, expected) in cells)
        {
            var lines = CellText(pdf, words, key, keyX, x, width).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var rightToLeft = RightToLeftText().IsMatch(expected);
            var actual = rightToLeft ? string.Join(' ', lines.Select(PdfText.Logical)) : string.Concat(lines);
            bool same;
            if (rightToLeft && (PunctuatedNumber().IsMatch(expected) || (LeftToRightText().IsMatch(expected[..1]) && lines.Length > 1)))
                same = Sorted(actual) == Sorted(expected);
            else
            {
                ordered++;
                // Lines broken at spaces lose those spaces; a value on one line must come back as it is.
                same = lines.Length == 1 ? actual == expected : PdfText.WithoutWhitespace(actual) == PdfText.WithoutWhitespace(expected);
            }
            if (!same)
                failures.Add($"{key}, column at {x}: expected '{expected}', got '{actual}'");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        // The Arabic note with "2026/17 ... 2027/01/03،", the Hebrew activity with "ב-2026-09-02," and the mixed note.
        Assert.Equal(3, cells.Length - ordered);
    }

    [Fact]
    public void The_title_with_han_hangul_and_arabic_comes_back_in_logical_order()
    {
        var (room, _, text) = Rendered.Value;

        var title = text.Split('\n').Select(PdfText.Logical).First(line => line.StartsWith("STS 转运", StringComparison.Ordinal));

        Assert.Equal(room.Title.Normalize(System.Text.NormalizationForm.FormKC), title);
    }

    [Fact]
    public void Right_to_left_cells_are_aligned_to_the_right_of_their_column()
    {
        var words = PdfText.Words(Rendered.Value.Pdf);
        var hebrewRow = words.First(w => w.Word == "david.cohen@zim.example");
        var latinRow = words.First(w => w.Word == "admin@sts.example");

        var hebrewName = words.Where(w => w.Page == hebrewRow.Page && Math.Abs(w.YMin - hebrewRow.YMin) < 2 && w.XMax < ReportStyle.MarginX + 120).ToArray();
        var latinName = words.Where(w => w.Page == latinRow.Page && Math.Abs(w.YMin - latinRow.YMin) < 2 && w.XMax < ReportStyle.MarginX + 120).ToArray();

        const double right = ReportStyle.MarginX + 120 - ReportStyle.CellPadX;
        Assert.InRange(hebrewName.Max(w => w.XMax), right - 1.5, right + 0.5);
        Assert.InRange(latinName.Min(w => w.XMin), ReportStyle.MarginX + ReportStyle.CellPadX - 0.5, ReportStyle.MarginX + ReportStyle.CellPadX + 1.5);
    }

    [Fact]
    public void Rendering_the_international_room_twice_and_in_parallel_gives_identical_bytes()
    {
        var (room, alone, _) = Rendered.Value;
        var message = Snapshots.For(room, "pdf");

        var parallel = new byte[6][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 3 }, i => parallel[i] = new PdfRenderer().Render(message, room).Content);

        Assert.All(parallel, bytes => Assert.Equal(alone, bytes));
    }

    [Fact]
    public void A_room_of_four_hundred_chinese_names_is_not_a_multi_megabyte_pdf()
    {
        var room = Snapshots.Small();
        room.Parties.Clear();
        // 400 names of three ideographs each, 1,200 different characters in all (common ones, from U+4E00 on).
        for (var i = 0; i < 400; i++)
        {
            var name = string.Concat(Enumerable.Range(0, 3).Select(k => (char)(0x4E00 + 3 * i + k)));
            room.Parties.Add(new Party { Email = $"p{i}@example.com", Role = PartyRole.Buyer, Company = "中远海运能源运输股份有限公司", Name = name });
        }

        var pdf = new PdfRenderer().Render(Snapshots.For(room, "pdf"), room).Content;

        var cjk = Assert.Single(PdfFont.List(pdf), f => f.BaseName == "WenQuanYiZenHei");
        Assert.True(cjk.Subset);
        Assert.InRange(pdf.Length, 50_000, 1_000_000);
    }

    [Fact]
    public void A_latin_only_room_embeds_dejavu_alone()
    {
        var room = Snapshots.Fixture("medium");

        var fonts = PdfFont.List(new PdfRenderer().Render(Snapshots.For(room, "pdf"), room).Content);

        Assert.Equal(["DejaVuSans", "DejaVuSans-Bold"], fonts.Select(f => f.BaseName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_name_no_font_has_shows_the_replacement_and_keeps_the_character_in_the_text()
    {
        var room = Snapshots.Small();
        room.Parties[0].Name = "Ra\U00013000mses Khufu";

        var pdf = new PdfRenderer().Render(Snapshots.For(room, "pdf"), room).Content;

        // Drawn with DejaVu Sans's U+FFFD glyph; the text layer (ActualText) still holds the original character.
        Assert.Contains("Ra\U00013000mses Khufu", PdfText.Extract(pdf), StringComparison.Ordinal);
        Assert.Equal(["DejaVuSans", "DejaVuSans-Bold"], PdfFont.List(pdf).Select(f => f.BaseName).Order(StringComparer.Ordinal));
    }

    // The cells of the room's tables: a word of the cell's row that finds the row (IMO, email, document id,
    // activity date) with its column's left edge, and the cell's column's left edge and width, as PdfRenderer lays them out.
    private static IEnumerable<(string Key, double KeyX, double X, double Width, string Text)> Cells(Room room)
    {
        const double x = ReportStyle.MarginX;
        foreach (var v in room.Vessels)
            yield return (v.Imo, x + 255, x, 255, v.Name);
        foreach (var p in room.Parties)
        {
            yield return (p.Email, x + 260, x, 120, p.Name);
            yield return (p.Email, x + 260, x + 120, 140, p.Company);
        }
        foreach (var d in room.Documents)
        {
            yield return (d.Id, x, x + 64, 82, d.Type);
            yield return (d.Id, x, x + 146, 46, d.Vessel);
            yield return (d.Id, x, x + 412, ReportStyle.ContentWidth - 412, d.Notes);
        }
        foreach (var a in room.Activities)
            yield return (a.At.ToDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), x, x + 304, ReportStyle.ContentWidth - 304, a.Detail);
    }

    // One cell's text: its column, from its row's top down to where the next row starts (a word in the key's
    // column, or anything at the left margin, such as a heading).
    private static string CellText(
        byte[] pdf, IReadOnlyList<(string Word, int Page, double XMin, double YMin, double XMax, double YMax)> words,
        string key, double keyX, double x, double width)
    {
        bool StartsRow(double xMin) => Math.Abs(xMin - keyX - ReportStyle.CellPadX) < 1.5 || xMin < ReportStyle.MarginX + ReportStyle.CellPadX + 1.5;
        var row = words.First(w => w.Word == key && StartsRow(w.XMin));
        var below = words
            .Where(w => w.Page == row.Page && w.YMin > row.YMax && StartsRow(w.XMin))
            .Select(w => w.YMin)
            .DefaultIfEmpty(ReportStyle.ContentBottom)
            .Min();
        return PdfText.Extract(pdf, row.Page, x, row.YMin - 1, width, below - row.YMin);
    }

    private static string Sorted(string text) => string.Concat(PdfText.WithoutWhitespace(text).Order());

    private static bool IsLatin(string text) => text.All(c => c < 0x0590);

    [GeneratedRegex(@"[\p{IsArabic}\p{IsHebrew}]")]
    private static partial Regex RightToLeftText();

    [GeneratedRegex(@"[A-Za-z\p{IsCJKUnifiedIdeographs}]")]
    private static partial Regex LeftToRightText();

    [GeneratedRegex(@"\d[-,\u060C]|[-,\u060C]\d")]
    private static partial Regex PunctuatedNumber();
}
