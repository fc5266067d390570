using System.ComponentModel.DataAnnotations;

namespace Sts.PdfWorker.Cache;

/// <summary>How the render cache behaves; bound from the "RenderCache" configuration section.</summary>
public sealed class RenderCacheOptions
{
    public const string Section = "RenderCache";

    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>When false, every lookup misses and nothing is stored.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bytes of rendered files kept in memory, least recently used dropped first; 0 turns the memory level off.</summary>
    [Range(0d, 16d * GiB)]
    public long MemoryMaxBytes { get; set; } = 64 * MiB;

    /// <summary>Bytes of cache files on disk (headers included), least recently used dropped first; 0 turns the disk level off.</summary>
    [Range(0d, 4096d * GiB)]
    public long DiskMaxBytes { get; set; } = GiB;

    /// <summary>Folder of the disk level. It belongs to one worker process: a cache that starts deletes unfinished writes found there.</summary>
    [Required]
    public string DiskRoot { get; set; } = "data/render-cache";

    /// <summary>Housekeeping removes disk entries that have not been used for this long.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan DiskMaxAge { get; set; } = TimeSpan.FromHours(72);
}
