using PdfSharp.Fonts;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Serves the DejaVu Sans faces embedded in this assembly (Fonts/, Bitstream Vera licence), so that PDFs
/// look the same on every machine and cover Greek, Cyrillic and accented Latin whatever fonts the host has.
/// </summary>
internal sealed class BundledFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans";

    private const string RegularFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";

    // Loaded up front, so that a missing resource fails at start-up (PdfSharpSetup), not mid-render.
    private readonly byte[] _regular = Load(RegularFace);
    private readonly byte[] _bold = Load(BoldFace);

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic)
    {
        // Only our own family: asking for anything else is a bug that should fail loudly, not fall back
        // to a font that may lack Greek or Cyrillic. There is no italic face; PDFsharp slants the upright one.
        if (!string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase))
            return null;
        return new FontResolverInfo(isBold ? BoldFace : RegularFace, mustSimulateBold: false, mustSimulateItalic: isItalic);
    }

    public byte[]? GetFont(string faceName) => faceName switch
    {
        RegularFace => _regular,
        BoldFace => _bold,
        _ => null,
    };

    private static byte[] Load(string faceName)
    {
        var resource = $"Sts.PdfWorker.Fonts.{faceName}.ttf";
        using var stream = typeof(BundledFontResolver).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Font resource '{resource}' is missing from the assembly.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
