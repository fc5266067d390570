using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.PdfWorker.Generation;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;

namespace Sts.PdfWorker.Tests.Rendering;

/// <summary>
/// The watermark (on every PDF page, in JSON and CSV metadata, in the cache key) and the "Changes since" section a PDF
/// opens with when it compares with an earlier snapshot, read back with pdftotext.
/// </summary>
public sealed class WatermarkAndChangesTests
{
    private static readonly RenderOptions Marked = Snapshots.Everything with { Watermark = "CONFIDENTIAL" };

    [Fact]
    public void The_watermark_is_on_every_page_of_a_pdf_and_in_its_document_information()
    {
        var room = Snapshots.Fixture("medium");
        var pdf = new PdfRenderer().Render(Snapshots.For(room, "pdf", Marked), room);
        WriteForLooking(pdf.Content, "watermark");
        Assert.True(pdf.PageCount > 1);

        for (var page = 1; page <= pdf.PageCount; page++)
        {
            // Drawn along the diagonal, which pdftotext leaves out of its layout but keeps in -raw content-stream order.
            var text = PdfText.WithoutWhitespace(Poppler.Run("pdftotext", pdf.Content, "-raw", "-f", $"{page}", "-l", $"{page}", "-enc", "UTF-8", Poppler.Pdf, "-"));
            Assert.Contains("CONFIDENTIAL", text, StringComparison.Ordinal);
        }
        Assert.Contains("StsWatermark", Poppler.Run("pdfinfo", pdf.Content, "-custom", Poppler.Pdf), StringComparison.Ordinal);
        Assert.DoesNotContain("CONFIDENTIAL", PdfText.Extract(new PdfRenderer().Render(Snapshots.For(room, "pdf"), room).Content), StringComparison.Ordinal);
    }

    [Fact]
    public void The_watermark_is_recorded_in_json_and_csv_and_files_without_one_keep_their_bytes()
    {
        var room = Snapshots.Small();

        using var json = JsonDocument.Parse(new JsonRenderer().Render(Snapshots.For(room, "json", Marked), room).Content);
        var csv = Rfc4180.Parse(Encoding.UTF8.GetString(new CsvRenderer().Render(Snapshots.For(room, "csv", Marked), room).Content));
        var plainJson = new JsonRenderer().Render(Snapshots.For(room, "json"), room).Content;
        var plainCsv = Encoding.UTF8.GetString(new CsvRenderer().Render(Snapshots.For(room, "csv"), room).Content);

        Assert.Equal("CONFIDENTIAL", json.RootElement.GetProperty("snapshot").GetProperty("watermark").GetString());
        Assert.Equal("watermark", csv[0][^1]);
        Assert.All(csv.Skip(1), row => Assert.Equal("CONFIDENTIAL", row[^1]));
        Assert.DoesNotContain("watermark", Encoding.UTF8.GetString(plainJson), StringComparison.Ordinal);
        Assert.DoesNotContain("watermark", plainCsv, StringComparison.Ordinal);
    }

    [Fact]
    public void The_watermark_and_the_compared_snapshot_are_part_of_the_cache_key()
    {
        var room = Snapshots.Small();
        foreach (ISnapshotRenderer renderer in new ISnapshotRenderer[] { new PdfRenderer(), new JsonRenderer(), new CsvRenderer() })
        {
            var plain = RenderCacheKey.For(renderer, Snapshots.For(room, renderer.Format));
            var draft = RenderCacheKey.For(renderer, Snapshots.For(room, renderer.Format, Snapshots.Everything with { Watermark = "DRAFT" }));
            var confidential = RenderCacheKey.For(renderer, Snapshots.For(room, renderer.Format, Marked));
            Assert.Equal(3, new[] { plain, draft, confidential }.Distinct().Count());
        }
        var pdf = new PdfRenderer();
        var message = Snapshots.For(room, "pdf");
        Assert.NotEqual(RenderCacheKey.For(pdf, message), RenderCacheKey.For(pdf, message with { CompareTo = Compared(room) }));
    }

    [Fact]
    public void A_pdf_compared_with_an_earlier_snapshot_opens_with_what_changed()
    {
        var (before, after) = ChangedPair();
        var message = Snapshots.For(after, "pdf") with { CompareTo = Compared(before) };

        var pdf = new PdfRenderer().Render(message, after, before);
        var text = PdfText.Extract(pdf.Content);
        var firstPage = Poppler.Run("pdftotext", pdf.Content, "-f", "1", "-l", "1", "-enc", "UTF-8", Poppler.Pdf, "-");
        WriteForLooking(pdf.Content, "changes-since");

        Assert.Contains("Changes since 2026-11-10 09:00:00 UTC", firstPage, StringComparison.Ordinal);
        Assert.Contains("Compared with snapshot 11111111-2222-4333-8444-555555555555", text, StringComparison.Ordinal);
        Assert.Contains("room version 3 then, 4 in this snapshot", text, StringComparison.Ordinal);
        var compact = PdfText.WithoutWhitespace(text);
        foreach (var expected in new[] { "REMOVED", "ADDED", "CHANGED", "status:under_review", "type:Oldcertificate", "Revisednotes", "charterer", "buyer@example.com", "9100101", "MTBoreasII", "granted", "refused", "Lateentry" })
            Assert.Contains(expected, compact, StringComparison.Ordinal);
        // The section comes before the vessels table, which a PDF without a comparison starts with after the cover.
        Assert.True(text.IndexOf("Changes since", StringComparison.Ordinal) < text.IndexOf("Vessels (", StringComparison.Ordinal));
        Assert.DoesNotContain("Changes since", PdfText.Extract(new PdfRenderer().Render(Snapshots.For(after, "pdf"), after).Content), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pdf_compared_with_an_identical_state_says_there_were_no_changes()
    {
        var room = Snapshots.Small();
        var pdf = new PdfRenderer().Render(Snapshots.For(room, "pdf") with { CompareTo = Compared(room) }, room, room);

        Assert.Contains("No changes: the room was the same then.", PdfText.Extract(pdf.Content), StringComparison.Ordinal);
    }

    [Fact]
    public void The_diff_is_deterministic_and_empty_for_the_same_room()
    {
        var (before, after) = ChangedPair();

        var once = RoomDiff.Compute(before, after);
        var twice = RoomDiff.Compute(before.Clone(), after.Clone());

        Assert.Equal(once.Changes, twice.Changes);
        Assert.Equal(once.Summary, twice.Summary);
        Assert.True(RoomDiff.Compute(after, after.Clone()).IsEmpty);
        Assert.True(RoomDiff.Compute(Snapshots.Fixture("large"), Snapshots.Fixture("large")).IsEmpty);
    }

    /// <summary>A room and a later state of it with a change of every kind.</summary>
    private static (Room Before, Room After) ChangedPair()
    {
        var before = Snapshots.Small();
        before.Parties.Add(new Party { Email = "buyer@example.com", Role = PartyRole.Buyer, Company = "Buyer Co", Name = "B" });
        before.Documents.Add(new Document { Id = "doc-gone", Type = "Old certificate", Vessel = "MT Aurora", Status = DocumentStatus.Approved });
        var after = before.Clone();
        after.Version = before.Version + 1;
        after.Parties.Single(p => p.Email == "buyer@example.com").Role = PartyRole.Charterer;
        after.Vessels.Single(v => v.Imo == "9100101").Name = "MT Boreas II";
        after.Documents.Remove(after.Documents.Single(d => d.Id == "doc-gone"));
        after.Documents.Add(new Document { Id = "doc-new", Type = "New certificate", Vessel = "MT Aurora", Status = DocumentStatus.UnderReview });
        after.Documents[0].Notes = "Revised notes";
        after.Documents[0].Status = DocumentStatus.Approved;
        if (after.Approvals.Count > 0) after.Approvals[0].Status = ApprovalStatus.Refused;
        after.Activities.Add(new Activity
        {
            At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 15, 10, 0, 0, TimeSpan.Zero)), Actor = "owner@example.com", Action = "note", Detail = "Late entry",
        });
        return (before, after);
    }

    private static ComparedSnapshot Compared(Room room)
    {
        var state = RoomState.ToCanonicalJson(room);
        return new ComparedSnapshot
        {
            SnapshotId = Guid.Parse("11111111-2222-4333-8444-555555555555"),
            Title = "Before the change",
            CreatedAt = new DateTimeOffset(2026, 11, 10, 9, 0, 0, TimeSpan.Zero),
            RoomVersion = room.Version,
            ContentHash = RoomState.Sha256Hex(state),
            RoomState = state,
        };
    }

    /// <summary>With STS_TEST_PDF_OUT set, keeps the file there, to turn into pictures (pdftoppm) and look at.</summary>
    private static void WriteForLooking(byte[] pdf, string name)
    {
        if (Environment.GetEnvironmentVariable("STS_TEST_PDF_OUT") is { Length: > 0 } dir)
            File.WriteAllBytes(Path.Combine(dir, name + ".pdf"), pdf);
    }
}
