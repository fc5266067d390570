using PdfSharp.Fonts;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>PDFsharp's process-wide settings: the font resolver.</summary>
internal static class PdfSharpSetup
{
    // PDFsharp takes its font resolver once per process, before any font is used. Lazy runs Configure
    // exactly once, whichever thread (worker start-up, a test, the benchmark) comes first.
    private static readonly Lazy<bool> Configured = new(Configure);

    /// <summary>Runs the set-up unless it has already run.</summary>
    public static void Ensure() => _ = Configured.Value;

    private static bool Configure()
    {
        GlobalFontSettings.FontResolver = new BundledFontResolver();
        return true;
    }
}
