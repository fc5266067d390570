using System.Diagnostics.Metrics;
using Sts.PdfWorker.Generation;

namespace Sts.PdfWorker.Rendering;

/// <summary>What renders count for Prometheus: characters that no bundled font has.</summary>
public sealed class RenderingMetrics
{
    private readonly Counter<long> _missingGlyphs;

    public RenderingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(WorkerStatistics.MeterName);
        // sts_render_missing_glyphs_total: each such character is drawn as a visible replacement (and kept in the text layer).
        _missingGlyphs = meter.CreateCounter<long>("sts.render.missing_glyphs",
            description: "Characters in rendered PDFs that no bundled font has, drawn as a replacement glyph.");
    }

    public void MissingGlyphs(int count)
    {
        if (count > 0)
            _missingGlyphs.Add(count);
    }
}
