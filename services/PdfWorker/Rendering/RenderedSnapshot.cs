namespace Sts.PdfWorker.Rendering;

/// <summary>A rendered snapshot file.</summary>
/// <param name="Content">The file's bytes.</param>
/// <param name="PageCount">Pages in the file; 0 for formats that have no pages (JSON, CSV).</param>
public sealed record RenderedSnapshot(byte[] Content, int PageCount);
