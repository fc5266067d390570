namespace Sts.PdfWorker.Rendering;

/// <summary>Registers the snapshot renderers, one per format.</summary>
public static class RenderingSetup
{
    public static IServiceCollection AddRendering(this IServiceCollection services)
    {
        services.AddSingleton<ISnapshotRenderer, PdfRenderer>();
        services.AddSingleton<ISnapshotRenderer, JsonRenderer>();
        services.AddSingleton<ISnapshotRenderer, CsvRenderer>();
        return services;
    }
}
