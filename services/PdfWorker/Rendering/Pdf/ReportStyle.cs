namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>Page geometry, colours and rules of the snapshot report (A4 portrait, in points).</summary>
internal static class ReportStyle
{
    public const double PageWidth = 595.28;
    public const double PageHeight = 841.89;
    public const double MarginX = 40;
    public const double ContentWidth = PageWidth - 2 * MarginX;
    public const double ContentTop = 58;
    public const double ContentBottom = PageHeight - 52;

    public const double HeaderTextTop = 30;
    public const double HeaderRuleY = 44;
    public const double FooterRuleY = PageHeight - 42;
    public const double FooterTextTop = PageHeight - 36;

    /// <summary>Space between a cell's edge and its text.</summary>
    public const double CellPadX = 3;
    public const double CellPadY = 3;

    public static readonly Rgb Ink = new(0x21, 0x25, 0x29);
    public static readonly Rgb Muted = new(0x5f, 0x6b, 0x7a);
    public static readonly Rgb Accent = new(0x1f, 0x3a, 0x5f);
    public static readonly Rgb Stripe = new(0xf1, 0xf4, 0xf8);
    public static readonly Rgb White = new(0xff, 0xff, 0xff);

    /// <summary>The watermark: mid grey, drawn over the content at this opacity, so that it marks every page and hides nothing.</summary>
    public static readonly Rgb WatermarkInk = new(0x80, 0x80, 0x80);
    public const double WatermarkOpacity = 0.18;

    public static readonly Rgb Rule = new(0xc9, 0xd1, 0xdb);
    public const double RuleWidth = 0.5;
    public const double AccentRuleWidth = 1;

    // Status label colours: green is settled, red refused, orange expired, purple absent, blue in progress, grey waiting.
    public static readonly Rgb Good = new(0x2e, 0x7d, 0x32);
    public static readonly Rgb Bad = new(0xc6, 0x28, 0x28);
    public static readonly Rgb Expired = new(0xd8, 0x5c, 0x00);
    public static readonly Rgb Absent = new(0x6a, 0x1b, 0x9a);
    public static readonly Rgb InProgress = new(0x15, 0x65, 0xc0);
    public static readonly Rgb Waiting = new(0x75, 0x75, 0x75);
}
