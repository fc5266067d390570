using Sts.PdfWorker.Rendering.Pdf;
using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Tests.Rendering;

/// <summary>Font choice by script, shaping, bidi order and line breaking of the text the fast path does not take.</summary>
public sealed class ShapedTextTests
{
    private static readonly TextFont Body = ReportFonts.Body;

    [Fact]
    public void Arabic_letters_are_joined_and_laid_out_right_to_left()
    {
        // The example: "لقطة" came out as isolated letters, left to right ("ةطقل").
        var line = LineBreaker.Line("لقطة", Body);

        Assert.True(line.RightToLeft);
        var run = Assert.Single(line.Runs!);
        Assert.Equal("NotoSansArabic", run.Face.PostScriptName.Split('-')[0]);
        Assert.True(run.RightToLeft);
        var face = run.Face;
        // Visual order, left to right: final teh marbuta first, initial lam last, none in its isolated form.
        Assert.Equal(4, run.Glyphs.Length);
        Assert.Equal("ة", run.Glyphs[0].Text);
        Assert.Equal("ل", run.Glyphs[^1].Text);
        Assert.All(run.Glyphs.Zip("ةطقل"), pair => Assert.NotEqual(face.GlyphOf(pair.Second), pair.First.Glyph));
    }

    [Fact]
    public void Digits_in_an_arabic_name_stay_left_to_right_at_the_left_end()
    {
        var line = LineBreaker.Line("محمد العلي 2026", Body);

        Assert.True(line.RightToLeft);
        Assert.Equal(["2026", "محمد العلي "], line.Runs!.Select(r => r.Text));
        Assert.False(line.Runs![0].RightToLeft);
        Assert.True(line.Runs![1].RightToLeft);
        Assert.Equal("محمد العلي 2026", line.Text);
    }

    [Fact]
    public void Mixed_han_and_latin_take_each_script_s_font()
    {
        var line = LineBreaker.Line("現代 Glory-7", Body);

        Assert.False(line.RightToLeft);
        Assert.Equal(["WenQuanYiZenHei:現代 ", "DejaVuSans:Glory-7"], line.Runs!.Select(r => $"{r.Face.PostScriptName}:{r.Text}"));
    }

    [Theory]
    [InlineData("राहुल शर्मा", "NotoSansDevanagari-Regular")]
    [InlineData("บริษัท ไทยออยล์ จำกัด", "NotoSansThai-Regular")]
    public void Indic_and_thai_are_shaped_not_drawn_one_glyph_per_character(string text, string face)
    {
        var line = LineBreaker.Line(text, Body);

        var run = Assert.Single(line.Runs!);
        Assert.Equal(face, run.Face.PostScriptName);
        var nominal = text.Select(c => run.Face.GlyphOf(c)).ToArray();
        // Conjuncts, reordered vowel signs and positioned marks: HarfBuzz's glyphs are not the characters' own.
        Assert.NotEqual(nominal, run.Glyphs.Select(g => g.Glyph).ToArray());
        Assert.Contains(run.Glyphs, g => g.XOffset != 0 || g.YOffset != 0 || g.XAdvance != run.Face.Advance(g.Glyph) || !nominal.Contains(g.Glyph));
        Assert.Equal(text, string.Concat(run.Glyphs.Select(g => g.Text)));
    }

    [Fact]
    public void Bold_han_without_a_bold_face_is_emboldened()
    {
        var regular = Assert.Single(LineBreaker.Line("舟山", Body).Runs!);
        var bold = Assert.Single(LineBreaker.Line("舟山", ReportFonts.BodyBold).Runs!);

        Assert.Same(regular.Face, bold.Face);
        Assert.False(regular.SimulateBold);
        Assert.True(bold.SimulateBold);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(47)]
    [InlineData(61)]
    [InlineData(90)]
    public void Chinese_and_japanese_without_spaces_wrap_inside_the_width_and_keep_every_character(double width)
    {
        const string chinese = "已核对原件，船级证书有效期至二〇二七年一月三日，靠泊前请再次确认软管压力测试记录和护舷检验报告是否齐全。";
        const string japanese = "原本と照合済み。係留前にホースの圧力試験記録を確認してください。";
        foreach (var text in new[] { chinese, japanese })
        {
            var lines = LineBreaker.Wrap(text, width, Body);

            Assert.True(lines.Count > 1);
            Assert.All(lines, line => Assert.True(line.Width <= width, $"'{line}' is {line.Width:F1} wide, more than {width}"));
            Assert.Equal(text, string.Concat(lines.Select(l => l.Text)));
            // Kinsoku: no line starts with closing punctuation, a small kana or the prolonged sound mark.
            Assert.All(lines.Skip(1), line => Assert.DoesNotContain(line.Text[0], "，。、）」ーっゃゅょ"));
        }
    }

    [Fact]
    public void Korean_breaks_at_spaces_when_the_words_fit()
    {
        const string text = "원본과 대조 완료. 계류 전에 호스 압력 시험 기록을 확인하십시오.";

        var lines = LineBreaker.Wrap(text, 80, Body);

        Assert.True(lines.Count > 1);
        Assert.Equal(text.Replace(" ", "", StringComparison.Ordinal), string.Concat(lines.Select(l => l.Text)).Replace(" ", "", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.True(line.Width <= 80));
        Assert.All(lines.SkipLast(1), line => Assert.Contains(line.Text.Split(' ')[^1], text.Split(' ')));
    }

    [Fact]
    public void A_long_thai_word_is_broken_between_clusters_never_inside_one()
    {
        const string text = "กรุณายืนยันบันทึกการทดสอบแรงดันท่อก่อนเทียบท่า";

        var lines = LineBreaker.Wrap(text, 40, Body);

        Assert.True(lines.Count > 1);
        Assert.Equal(text, string.Concat(lines.Select(l => l.Text)));
        Assert.All(lines, line => Assert.True(line.Width <= 40));
        // A line never starts with a combining vowel or tone mark (they belong to the cluster before).
        Assert.All(lines, line => Assert.False(char.GetUnicodeCategory(line.Text[0]) == System.Globalization.UnicodeCategory.NonSpacingMark, $"'{line}'"));
    }

    [Fact]
    public void A_character_no_font_has_is_drawn_as_the_replacement_glyph_and_counted()
    {
        const string hieroglyph = "\U00013000"; // EGYPTIAN HIEROGLYPH A001: in none of the bundled faces
        var faces = Body.Faces;
        Assert.Null(faces.FaceFor(0x13000, HarfBuzzSharp.Script.EgyptianHieroglyphs));

        var line = LineBreaker.Line($"Ra{hieroglyph}mses", Body);

        Assert.Equal(1, line.Missing);
        Assert.Equal($"Ra{hieroglyph}mses", line.Text);
        var replacement = faces.Primary.GlyphOf(0xFFFD);
        Assert.NotEqual(0, replacement);
        Assert.Contains(line.Runs!, r => r.Glyphs.Any(g => g.Glyph == replacement && g.Text == "\uFFFD"));
    }
}
