namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>A table column: its heading and its width in points.</summary>
internal sealed record Column(string Title, double Width);
