using Sts.Api.V1;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Rendering;

/// <summary>
/// Turns one frozen room into the file of one snapshot format, in two steps so that the render cache can
/// keep the expensive part: <see cref="RenderBody"/> depends only on the room state, the options and
/// <see cref="CacheIdentity"/>; <see cref="Finish"/> adds what is specific to the snapshot and is cheap.
/// </summary>
public interface ISnapshotRenderer
{
    /// <summary>The <see cref="GenerateSnapshot.Format"/> this renderer serves: "pdf", "json" or "csv".</summary>
    string Format { get; }

    /// <summary>MIME type to store and serve the file with.</summary>
    string ContentType { get; }

    /// <summary>File name extension, with its dot.</summary>
    string FileExtension { get; }

    /// <summary>Changes whenever the bytes written for the same input change, so old cache entries stop matching.</summary>
    string Version { get; }

    /// <summary>What of the snapshot itself, beyond the room state and options, the body shows: part of the cache key.</summary>
    string CacheIdentity(GenerateSnapshot message);

    /// <summary>
    /// The cacheable part of the file, honouring <see cref="GenerateSnapshot.Options"/>. Same input, same bytes.
    /// Long renders stop with OperationCanceledException once <paramref name="limit"/> has passed.
    /// <paramref name="compared"/> is the frozen room of <see cref="GenerateSnapshot.CompareTo"/>, which only PDFs show.
    /// </summary>
    RenderedSnapshot RenderBody(GenerateSnapshot message, Room room, RenderLimit limit = default, Room? compared = null);

    /// <summary>The whole file: <paramref name="body"/> plus what is specific to this snapshot.</summary>
    byte[] Finish(GenerateSnapshot message, byte[] body);

    /// <summary>Both steps at once, for callers that do not cache.</summary>
    RenderedSnapshot Render(GenerateSnapshot message, Room room, Room? compared = null);
}
