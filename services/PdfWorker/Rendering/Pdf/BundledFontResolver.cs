using System.Collections.Concurrent;
using PdfSharp.Fonts;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Serves the DejaVu Sans faces embedded in this assembly (Fonts/, Bitstream Vera licence), so that PDFs
/// look the same on every machine and cover Greek, Cyrillic and accented Latin whatever fonts the host has.
/// </summary>
internal sealed class BundledFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans";

    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";

    private readonly ConcurrentDictionary<string, byte[]> _faces = new();

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic)
    {
        // Only our own family: asking for anything else is a bug that should fail loudly, not fall back
        // to a font that may lack Greek or Cyrillic. There is no italic face; PDFsharp slants the upright one.
        if (!string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase))
            return null;
        return new FontResolverInfo(isBold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: isItalic);
    }

    public byte[]? GetFont(string faceName) => _faces.GetOrAdd(faceName, Load);

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
