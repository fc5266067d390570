namespace Sts.PdfWorker.Cache;

/// <summary>The render cache's log messages. A failing disk never fails a render: it is logged and the entry treated as missing.</summary>
internal static partial class RenderCacheLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Render cache on disk at {Root}: {Entries} entries, {Bytes} bytes, indexed in {ElapsedMs} ms; removed {TempFiles} unfinished writes")]
    public static partial void DiskIndexed(this ILogger logger, string root, int entries, long bytes, long elapsedMs, int tempFiles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Render cache entry {Key} is corrupt ({Problem}); deleted it, so the snapshot will be rendered again")]
    public static partial void CorruptEntry(this ILogger logger, string key, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write render cache entry {Key} to disk")]
    public static partial void WriteFailed(this ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read render cache entry {Key} from disk")]
    public static partial void ReadFailed(this ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete render cache file {Path}")]
    public static partial void DeleteFailed(this ILogger logger, string path, Exception exception);
}
