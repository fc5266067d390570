using System.Globalization;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.PdfWorker.Rendering.Pdf;
using Sts.PdfWorker.Rendering.Text;
using Sts.PdfWorker.Rendering.Text.Unicode;
using Sts.PdfWorker.Signing;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;
using static Sts.PdfWorker.Rendering.Pdf.ReportStyle;

namespace Sts.PdfWorker.Rendering;

/// <summary>
/// Renders a snapshot as an A4 report with PDFsharp: a cover with the room and snapshot facts, then (when the snapshot
/// compares with another) what changed since, then parties, approvals, documents and activity as tables, with
/// "Page X of Y" and the snapshot id on every page and the watermark, if any, across it. The file is signed (PAdES
/// baseline B-B) when a signer is configured, and its document information carries the snapshot's claim (id, room,
/// room version, content hash), so that a verifier can read it offline.
/// </summary>
public sealed class PdfRenderer : ISnapshotRenderer
{
    private static readonly Column[] FactColumns = [new("", 110), new("", ContentWidth - 110)];
    private static readonly Column[] VesselColumns = [new("Vessel", 255), new("IMO", 130), new("Role", ContentWidth - 385)];
    private static readonly Column[] PartyColumns = [new("Name", 120), new("Company", 140), new("Email", 170), new("Role", ContentWidth - 430)];
    private static readonly Column[] ApprovalColumns = [new("Party role", 110), new("Status", 80), new("Decided by", 190), new("Decided at (UTC)", ContentWidth - 380)];
    private static readonly Column[] DocumentColumns =
    [
        new("ID", 64), new("Type", 82), new("Vessel", 46), new("Status", 66), new("Expires", 50), new("Uploaded by", 104), new("Notes", ContentWidth - 412),
    ];
    private static readonly Column[] ActivityColumns = [new("Time (UTC)", 88), new("Actor", 116), new("Action", 100), new("Detail", ContentWidth - 304)];

    private readonly RenderingMetrics? _metrics;
    private readonly SnapshotSigner? _signer;

    /// <param name="metrics">Where characters no bundled font has are counted; none in tests and benchmarks that do not look.</param>
    /// <param name="signer">Signs every PDF; none when signing is switched off (the cover then says the file is not signed).</param>
    public PdfRenderer(RenderingMetrics? metrics = null, SnapshotSigner? signer = null)
    {
        BundledFonts.Load();
        UnicodeBidiData.Load();
        _metrics = metrics;
        _signer = signer;
    }

    public string Format => "pdf";
    public string ContentType => "application/pdf";
    public string FileExtension => ".pdf";
    public string Version => "pdf-3";

    // The cover and every footer show the snapshot's id, title, creator and creation time, so a PDF can only
    // be reused for the same snapshot (a redelivery or a retry), not for another snapshot of the same room. The
    // signature is part of the cached file, so a new certificate must not find files signed with the old one.
    public string CacheIdentity(GenerateSnapshot message) =>
        $"{message.SnapshotId:D}|{message.Title}|{message.CreatedBy}|{message.CreatedAt.UtcTicks}|{_signer?.Fingerprint ?? "unsigned"}";

    public byte[] Finish(GenerateSnapshot message, byte[] body) => body;

    public RenderedSnapshot Render(GenerateSnapshot message, Room room, Room? compared = null) => RenderBody(message, room, default, compared);

    public RenderedSnapshot RenderBody(GenerateSnapshot message, Room room, RenderLimit limit = default, Room? compared = null)
    {
        var options = message.Options;
        var content = RoomFilter.Apply(room, options);
        using var document = ReproduciblePdf.NewDocument(message.SnapshotId, message.CreatedAt);
        document.Info.Title = message.Title;
        document.Info.Subject = $"Snapshot of room {room.Id}";
        document.Info.Author = message.CreatedBy;
        document.Info.Creator = "STS Snapshot Service";
        SnapshotClaim.Write(document.Info, message);

        var report = new ReportWriter(document, limit);
        report.NewPage();
        WriteCover(report, message, content, room.Activities.Count, _signer);
        if (message.CompareTo is { } comparedSnapshot && compared is not null)
            ChangesSection.Write(report, message, comparedSnapshot, Changes(compared, room, options));
        WriteVessels(report, content.Vessels);
        WriteParties(report, content.Parties);
        if (options.IncludeApprovals)
            WriteApprovals(report, content.Approvals);
        if (options.IncludeDocuments)
            WriteDocuments(report, content.Documents);
        if (options.IncludeActivity)
            WriteActivity(report, content.Activities);
        report.Finish(
            headerLeft: $"STS room snapshot · {room.Id}",
            headerRight: Invariant($"Room version {message.RoomVersion}"),
            footerLeft: $"Snapshot {message.SnapshotId:D}",
            watermark: options.Watermark);
        _metrics?.MissingGlyphs(report.MissingGlyphs);
        var pageCount = document.PageCount;
        var signature = _signer is null
            ? null
            : SignatureSlot.Add(document, _signer, message.CreatedAt, $"Snapshot {message.SnapshotId:D} of room {room.Id}, content SHA-256 {message.ContentHash}");
        var pdf = ReproduciblePdf.Save(document, message.SnapshotId);
        signature?.Fill(pdf);
        return new RenderedSnapshot(pdf, pageCount);
    }

    /// <summary>The diff the "Changes since" section shows: of the sections this snapshot includes, whatever its activity limit.</summary>
    private static RoomDiff Changes(Room compared, Room room, RenderOptions options)
    {
        var sections = options with { ActivityLimit = 0 };
        return RoomDiff.Compute(RoomFilter.Apply(compared, sections), RoomFilter.Apply(room, sections));
    }

    private static void WriteCover(ReportWriter report, GenerateSnapshot message, Room room, int activityTotal, SnapshotSigner? signer)
    {
        report.Paragraph("ROOM SNAPSHOT", ReportFonts.BodyBold, Accent);
        report.Space(4);
        report.Paragraph(room.Title, ReportFonts.Title, Ink);
        report.Space(10);

        var facts = report.Table(FactColumns, header: false);
        facts.AddRow([Cell.Key("Snapshot title"), new(message.Title)]);
        facts.AddRow([Cell.Key("Location"), new(room.Location)]);
        facts.AddRow([Cell.Key("STS ETA"), new(DateTimeText(room.StsEta))]);
        facts.AddRow([Cell.Key("Room"), new(Invariant($"{room.Id} (version {message.RoomVersion})"))]);
        facts.AddRow([Cell.Key("Snapshot ID"), new(message.SnapshotId.ToString("D"))]);
        facts.AddRow([Cell.Key("Created"), new(DateTimeText(message.CreatedAt))]);
        facts.AddRow([Cell.Key("Created by"), new(message.CreatedBy)]);
        facts.AddRow([Cell.Key("Content SHA-256"), new(message.ContentHash)]);
        facts.AddRow([Cell.Key("Contents"), new(ContentsText(message.Options, room.Activities.Count, activityTotal))]);
        if (!string.IsNullOrEmpty(message.Options.Watermark))
            facts.AddRow([Cell.Key("Watermark"), new(message.Options.Watermark)]);
        facts.AddRow([Cell.Key("Signature"), new(signer is null
            ? "Not signed: signing was switched off on the worker that rendered this file."
            : $"This file is signed by {signer.Name} (PAdES baseline B-B, SHA-256 with RSA; certificate SHA-256 {signer.Fingerprint}). "
              + "Any PDF signature validator checks it; `sts verify FILE` also finds the snapshot and its audit records.")]);
    }

    private static void WriteVessels(ReportWriter report, RepeatedField<Vessel> vessels)
    {
        report.Heading(Invariant($"Vessels ({vessels.Count})"));
        var table = report.Table(VesselColumns);
        foreach (var v in vessels)
            table.AddRow([new(v.Name), new(v.Imo), new(Capitalised(EnumWord<VesselRole>.Of(v.Role)))]);
    }

    private static void WriteParties(ReportWriter report, RepeatedField<Party> parties)
    {
        if (!StartSection(report, "Parties", parties.Count))
            return;
        var table = report.Table(PartyColumns);
        foreach (var p in parties)
            table.AddRow([new(p.Name), new(p.Company), new(p.Email), new(Capitalised(EnumWord<PartyRole>.Of(p.Role)))]);
    }

    private static void WriteApprovals(ReportWriter report, RepeatedField<Approval> approvals)
    {
        if (!StartSection(report, "Approvals", approvals.Count))
            return;
        var table = report.Table(ApprovalColumns);
        foreach (var a in approvals)
        {
            table.AddRow(
            [
                new(Capitalised(EnumWord<PartyRole>.Of(a.PartyRole))),
                Cell.Status(EnumWord<ApprovalStatus>.Of(a.Status), ApprovalColour(a.Status)),
                new(a.DecidedBy),
                new(TableTime(a.DecidedAt)),
            ]);
        }
    }

    private static void WriteDocuments(ReportWriter report, RepeatedField<Document> documents)
    {
        if (!StartSection(report, "Documents", documents.Count))
            return;
        var table = report.Table(DocumentColumns);
        foreach (var d in documents)
        {
            table.AddRow(
            [
                new(d.Id),
                new(d.Type),
                new(d.Vessel),
                Cell.Status(EnumWord<DocumentStatus>.Of(d.Status), DocumentColour(d.Status)),
                new(d.ExpiresOn),
                new(d.UploadedBy),
                new(d.Notes),
            ]);
        }
    }

    private static void WriteActivity(ReportWriter report, RepeatedField<Activity> activities)
    {
        if (!StartSection(report, "Activity", activities.Count))
            return;
        var table = report.Table(ActivityColumns);
        foreach (var a in activities)
            table.AddRow([new(TableTime(a.At)), new(a.Actor), new(a.Action), new(a.Detail)]);
    }

    // The heading, and "None." in place of an empty table; false when there are no rows to write.
    private static bool StartSection(ReportWriter report, string title, int count)
    {
        report.Heading(Invariant($"{title} ({count})"));
        if (count > 0)
            return true;
        report.Note("None.");
        return false;
    }

    private static string ContentsText(RenderOptions options, int activityShown, int activityTotal)
    {
        var parts = new List<string> { "parties" };
        if (options.IncludeApprovals)
            parts.Add("approvals");
        if (options.IncludeDocuments)
            parts.Add("documents");
        if (options.IncludeActivity)
        {
            parts.Add(activityShown < activityTotal
                ? Invariant($"activity (newest {activityShown} of {activityTotal} entries)")
                : "activity");
        }
        var text = string.Join(", ", parts);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static Rgb DocumentColour(DocumentStatus status) => status switch
    {
        DocumentStatus.Approved => Good,
        DocumentStatus.Rejected => Bad,
        DocumentStatus.Expired => Expired,
        DocumentStatus.Missing => Absent,
        DocumentStatus.UnderReview => InProgress,
        _ => Waiting,
    };

    private static Rgb ApprovalColour(ApprovalStatus status) => status switch
    {
        ApprovalStatus.Granted => Good,
        ApprovalStatus.Refused => Bad,
        _ => Waiting,
    };

    private static string DateTimeText(Timestamp? at) => at is null ? "—" : DateTimeText(at.ToDateTimeOffset());

    internal static string DateTimeText(DateTimeOffset at) => TableTime(at) + " UTC";

    // Table columns say "(UTC)" in their heading, so the cells leave it out.
    private static string TableTime(Timestamp? at) => at is null ? "—" : TableTime(at.ToDateTimeOffset());

    internal static string TableTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Capitalised(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..].Replace('_', ' ');

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
