using Sts.PdfWorker.Rendering.Text;

namespace Sts.PdfWorker.Rendering;

/// <summary>Registers the snapshot renderers, one per format.</summary>
public static class RenderingSetup
{
    public static IServiceCollection AddRendering(this IServiceCollection services)
    {
        // Now rather than at the first snapshot, so that a missing or damaged font fails start-up.
        BundledFonts.Load();
        services.AddSingleton<RenderingMetrics>();
        services.AddSingleton<ISnapshotRenderer, PdfRenderer>();
        services.AddSingleton<ISnapshotRenderer, JsonRenderer>();
        services.AddSingleton<ISnapshotRenderer, CsvRenderer>();
        return services;
    }
}
