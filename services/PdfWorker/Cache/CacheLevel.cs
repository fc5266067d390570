namespace Sts.PdfWorker.Cache;

/// <summary>Where a render cache lookup found its entry.</summary>
public enum CacheLevel
{
    /// <summary>Not found: a miss.</summary>
    None,
    Memory,
    Disk,
}
