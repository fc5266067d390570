using Sts.Api.V1;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Rendering;

/// <summary>Turns one frozen room into the file of one snapshot format.</summary>
public interface ISnapshotRenderer
{
    /// <summary>The <see cref="GenerateSnapshot.Format"/> this renderer serves: "pdf", "json" or "csv".</summary>
    string Format { get; }

    /// <summary>MIME type to store and serve the file with.</summary>
    string ContentType { get; }

    /// <summary>File name extension, with its dot.</summary>
    string FileExtension { get; }

    /// <summary>
    /// Renders <paramref name="room"/> (the parsed <see cref="GenerateSnapshot.RoomState"/>) as this format,
    /// honouring <see cref="GenerateSnapshot.Options"/>. The same message and room always give the same bytes.
    /// </summary>
    RenderedSnapshot Render(GenerateSnapshot message, Room room);
}
