using System.Text;
using Sts.Api.V1;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Rendering;

/// <summary>Renders the room's documents as RFC 4180 CSV: a header row, then one row per document (and a watermark column when the snapshot has one).</summary>
/// <remarks>
/// UTF-8 without a byte-order mark. RFC 4180 and the text/csv media type carry the charset in the
/// content type, and a BOM would become part of the first header name ("\uFEFFid") for most CSV
/// readers other than Excel. Excel users import the file as UTF-8 instead of double-clicking it.
/// </remarks>
public sealed class CsvRenderer : ISnapshotRenderer
{
    private static readonly string[] Header = ["id", "type", "vessel", "status", "expires_on", "uploaded_by", "notes"];
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public string Format => "csv";
    public string ContentType => "text/csv; charset=utf-8";
    public string FileExtension => ".csv";
    public string Version => "csv-1";

    // A CSV lists documents only; nothing about the snapshot itself is in it.
    public string CacheIdentity(GenerateSnapshot message) => "";

    public byte[] Finish(GenerateSnapshot message, byte[] body) => body;

    public RenderedSnapshot Render(GenerateSnapshot message, Room room, Room? compared = null) => RenderBody(message, room);

    public RenderedSnapshot RenderBody(GenerateSnapshot message, Room room, RenderLimit limit = default, Room? compared = null)
    {
        // A CSV has no place for metadata but its columns: a watermark ("DRAFT") goes in a last column, on every row, so
        // that it stays with the data in any spreadsheet. Files without one keep their columns and bytes.
        var watermark = message.Options.Watermark;
        var marked = !string.IsNullOrEmpty(watermark);
        var csv = new StringBuilder();
        AppendRow(csv, marked ? [.. Header, "watermark"] : Header);
        foreach (var d in RoomFilter.Apply(room, message.Options).Documents)
        {
            string[] row = [d.Id, d.Type, d.Vessel, EnumWord<DocumentStatus>.Of(d.Status), d.ExpiresOn, d.UploadedBy, d.Notes];
            AppendRow(csv, marked ? [.. row, watermark!] : row);
        }
        return new RenderedSnapshot(Utf8NoBom.GetBytes(csv.ToString()), PageCount: 0);
    }

    private static void AppendRow(StringBuilder csv, string[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
                csv.Append(',');
            AppendField(csv, fields[i]);
        }
        csv.Append("\r\n");
    }

    private static void AppendField(StringBuilder csv, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            csv.Append(value);
            return;
        }
        csv.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
