using PdfSharp;
using PdfSharp.Fonts;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>PDFsharp's process-wide settings: the licence choice and the font resolver.</summary>
internal static class PdfSharpSetup
{
    // PDFsharp 6.5 throws on first use until a licence has been chosen, and takes its font resolver
    // once per process, before any font is used. Lazy runs Configure exactly once, whichever thread
    // (worker start-up, a test, the benchmark) comes first.
    private static readonly Lazy<bool> Configured = new(Configure);

    /// <summary>Runs the set-up unless it has already run.</summary>
    public static void Ensure() => _ = Configured.Value;

    private static bool Configure()
    {
        // The free licence: it puts this service under the AGPL's terms. A commercial licence would be
        // loaded here instead, with PdfSharpLicense.LoadLicense(key).
        PdfSharpLicense.SetAgplLicense();
        GlobalFontSettings.FontResolver = new BundledFontResolver();
        return true;
    }
}
