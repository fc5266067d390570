namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// The fonts shipped in this assembly (Fonts/, each with its licence), read once per process so that every
/// render shares the parsed faces and no PDF depends on the fonts of the machine it was made on.
/// </summary>
internal static class BundledFonts
{
    private static readonly Lazy<FontSet> LazyRegular = new(() => new FontSet(new FontFace(FontData.Open("DejaVuSans.ttf"))));
    private static readonly Lazy<FontSet> LazyBold = new(() => new FontSet(new FontFace(FontData.Open("DejaVuSans-Bold.ttf"))));

    public static FontSet Regular => LazyRegular.Value;

    public static FontSet Bold => LazyBold.Value;

    /// <summary>Reads every face now, so that a missing or damaged font fails start-up instead of a render.</summary>
    public static void Load()
    {
        _ = Regular;
        _ = Bold;
    }
}
