using Sts.PdfWorker.Rendering.Pdf;

namespace Sts.PdfWorker.Rendering;

/// <summary>Registers the snapshot renderers, one per format.</summary>
public static class RenderingSetup
{
    public static IServiceCollection AddRendering(this IServiceCollection services)
    {
        // Now rather than at the first snapshot, so that a missing font fails start-up.
        PdfSharpSetup.Ensure();
        services.AddSingleton<ISnapshotRenderer, PdfRenderer>();
        services.AddSingleton<ISnapshotRenderer, JsonRenderer>();
        services.AddSingleton<ISnapshotRenderer, CsvRenderer>();
        return services;
    }
}
