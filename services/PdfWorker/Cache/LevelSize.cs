namespace Sts.PdfWorker.Cache;

/// <summary>How much one cache level holds.</summary>
internal readonly record struct LevelSize(int Entries, long Bytes);
