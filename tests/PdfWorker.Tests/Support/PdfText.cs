using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Sts.PdfWorker.Tests.Support;

/// <summary>Extracts a PDF's text with poppler's pdftotext, the way a reader's search or copy would see it.</summary>
internal static class PdfText
{
    /// <summary>The text of every page; pdftotext ends each page with a form feed.</summary>
    public static string Extract(byte[] pdf) => Poppler.Run("pdftotext", pdf, "-enc", "UTF-8", Poppler.Pdf, "-").Replace("\r", "", StringComparison.Ordinal);

    /// <summary>The text inside a rectangle of page <paramref name="page"/> (1-based), in points from the top-left corner.</summary>
    public static string Extract(byte[] pdf, int page, double x, double y, double width, double height)
    {
        string Number(double value) => ((int)Math.Round(value)).ToString(CultureInfo.InvariantCulture);
        var text = Poppler.Run("pdftotext", pdf, "-enc", "UTF-8", "-f", Number(page), "-l", Number(page),
            "-x", Number(x), "-y", Number(y), "-W", Number(width), "-H", Number(height), Poppler.Pdf, "-");
        return text.Trim('\f', '\n', ' ');
    }

    /// <summary>Each word pdftotext finds, with its box in points from the page's top-left corner.</summary>
    public static IReadOnlyList<(string Word, int Page, double XMin, double YMin, double XMax, double YMax)> Words(byte[] pdf)
    {
        var html = Poppler.Run("pdftotext", pdf, "-enc", "UTF-8", "-bbox", Poppler.Pdf, "-");
        XNamespace xhtml = "http://www.w3.org/1999/xhtml";
        var words = new List<(string, int, double, double, double, double)>();
        var pages = XDocument.Parse(html).Descendants(xhtml + "page").ToArray();
        for (var p = 0; p < pages.Length; p++)
        {
            foreach (var word in pages[p].Descendants(xhtml + "word"))
            {
                double Attribute(string name) => double.Parse(word.Attribute(name)!.Value, CultureInfo.InvariantCulture);
                words.Add((word.Value, p + 1, Attribute("xMin"), Attribute("yMin"), Attribute("xMax"), Attribute("yMax")));
            }
        }
        return words;
    }

    public static string WithoutWhitespace(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>
    /// Right-to-left text as pdftotext gives it, in logical order: pdftotext puts a right-to-left line's characters
    /// in reading order and marks its embedded runs with U+202A..U+202E, which only steer display and are dropped;
    /// presentation forms (an Arabic ligature is extracted as one) become the letters they stand for by NFKC.
    /// </summary>
    public static string Logical(string extracted)
    {
        var text = string.Concat(extracted.Where(c => c is < '\u202A' or > '\u202E')).Normalize(NormalizationForm.FormKC);
        Assert.True("\uFEFB".Normalize(NormalizationForm.FormKC) == "\u0644\u0627",
            "Unicode normalization does not work: the test process needs ICU (libicu), so the tests run with InvariantGlobalization off.");
        return text;
    }
}
