using System.Globalization;
using PdfSharp.Pdf;
using Sts.Shared.Messaging;
using Sts.Shared.Pdf;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>
/// Writes what the file claims to be into its document information, under the keys <see cref="SnapshotPdf"/> reads:
/// snapshot id, room id and version, content hash; and the watermark and compared snapshot when there are. Inside the
/// signed bytes, so a verifier can read the claim offline and trust it as far as the signature.
/// </summary>
internal static class SnapshotClaim
{
    public static void Write(PdfDocumentInformation info, GenerateSnapshot message)
    {
        info.Elements.SetString(SnapshotPdf.SnapshotIdKey, message.SnapshotId.ToString("D"));
        info.Elements.SetString(SnapshotPdf.RoomIdKey, message.RoomId);
        info.Elements.SetString(SnapshotPdf.RoomVersionKey, message.RoomVersion.ToString(CultureInfo.InvariantCulture));
        info.Elements.SetString(SnapshotPdf.ContentHashKey, message.ContentHash);
        if (!string.IsNullOrEmpty(message.Options.Watermark))
            info.Elements["/StsWatermark"] = new PdfString(message.Options.Watermark, PdfStringEncoding.Unicode);
        if (message.CompareTo is { } compared)
            info.Elements.SetString("/StsComparedTo", compared.SnapshotId.ToString("D"));
    }
}
