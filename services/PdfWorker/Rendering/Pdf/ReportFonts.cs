using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>The report's fonts. Immutable and made once per process, so renders only look widths up.</summary>
internal static class ReportFonts
{
    public static readonly TextFont Body = new(BundledFonts.Regular, 7.5);
    public static readonly TextFont BodyBold = new(BundledFonts.Bold, 7.5);
    public static readonly TextFont Label = new(BundledFonts.Bold, 6);
    public static readonly TextFont Small = new(BundledFonts.Regular, 7);
    public static readonly TextFont Heading = new(BundledFonts.Bold, 12);
    public static readonly TextFont Title = new(BundledFonts.Bold, 18);
}
