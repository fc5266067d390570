namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>A device RGB colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B);
