using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Sts.PdfWorker.Generation;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;

namespace Sts.PdfWorker.Tests.Rendering;

public sealed class RenderingMetricsTests
{
    [Fact]
    public void Characters_no_font_has_are_counted_in_sts_render_missing_glyphs()
    {
        // The worker's own wiring: AddRendering gives the PDF renderer its metrics.
        using var services = new ServiceCollection().AddMetrics().AddRendering().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var renderer = services.GetServices<ISnapshotRenderer>().Single(r => r.Format == "pdf");
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meters: other tests render in parallel with meters of their own.
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == WorkerStatistics.MeterName && instrument.Name == "sts.render.missing_glyphs")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();

        var room = Snapshots.Small();
        room.Parties[0].Name = "Ra\U00013000mses \U00013001";
        renderer.Render(Snapshots.For(room, "pdf"), room);
        Assert.Equal(2, Interlocked.Read(ref counted));

        var latin = Snapshots.Small();
        renderer.Render(Snapshots.For(latin, "pdf"), latin);
        var international = Snapshots.International();
        renderer.Render(Snapshots.For(international, "pdf"), international);
        Assert.Equal(2, Interlocked.Read(ref counted));
    }
}
