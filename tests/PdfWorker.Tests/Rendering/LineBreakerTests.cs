using Sts.PdfWorker.Rendering.Pdf;
using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Tests.Rendering;

public sealed class LineBreakerTests
{
    private static readonly TextFont Body = ReportFonts.Body;

    [Theory]
    [InlineData("short")]
    [InlineData("Checked against original; see remarks and the attached letter from the terminal operator.")]
    [InlineData("AVeryLongWordWithoutAnySpacesThatCannotPossiblyFitOnOneLineOfTheColumn and then some words")]
    [InlineData("Αθηνά Παπαδοπούλου και Дмитрий Иванов, Société Générale Énergie")]
    public void Every_line_fits_and_only_break_spaces_are_dropped(string text)
    {
        const double width = 60;

        var lines = LineBreaker.Wrap(text, width, Body);

        Assert.All(lines, line => Assert.True(line.Width <= width && Body.Width(line.Text) <= width, $"'{line}' is wider than {width}"));
        Assert.Equal(text.Replace(" ", "", StringComparison.Ordinal), string.Concat(lines.Select(l => l.Text)).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_that_fits_stays_on_one_line()
    {
        Assert.Equal(["doc-202-00000"], Texts(LineBreaker.Wrap("doc-202-00000", 200, Body)));
    }

    [Fact]
    public void Words_move_whole_to_the_next_line()
    {
        var width = Math.Max(Body.Width("alpha beta"), Body.Width("gamma delta")) + 1;

        var lines = LineBreaker.Wrap("alpha beta gamma delta", width, Body);

        Assert.Equal(["alpha beta", "gamma delta"], Texts(lines));
    }

    [Fact]
    public void Line_breaks_in_the_text_are_kept()
    {
        Assert.Equal(["first", "", "third", "fourth"], Texts(LineBreaker.Wrap("first\r\n\nthird\rfourth", 200, Body)));
    }

    [Fact]
    public void Surrogate_pairs_are_never_split()
    {
        var text = string.Concat(Enumerable.Repeat("\U0001D518", 40));

        var lines = LineBreaker.Wrap(text, 30, Body);

        Assert.True(lines.Count > 1);
        Assert.All(lines, line => Assert.False(char.IsHighSurrogate(line.Text[^1]), "a line ends inside a surrogate pair"));
        Assert.Equal(text, string.Concat(Texts(lines)));
    }

    private static string[] Texts(IReadOnlyList<TextLine> lines) => [.. lines.Select(l => l.Text)];
}
