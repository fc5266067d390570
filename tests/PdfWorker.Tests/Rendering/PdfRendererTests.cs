using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Tests.Rendering;

public sealed class PdfRendererTests
{
    private readonly PdfRenderer _renderer = new();

    [Fact]
    public void Medium_fixture_shows_the_room_its_documents_and_page_x_of_n_on_every_page()
    {
        var room = Snapshots.Fixture("medium");

        var rendered = _renderer.Render(Snapshots.For(room, "pdf"), room);
        var pages = PdfText.Extract(rendered.Content).Split('\f')[..^1];

        var n = rendered.PageCount;
        Assert.True(n > 1, $"the medium room should take several pages, got {n}");
        Assert.Equal(n, pages.Length);
        Assert.Contains(room.Title, pages[0], StringComparison.Ordinal);
        Assert.Contains(room.Documents[0].Type, string.Concat(pages), StringComparison.Ordinal);
        Assert.Contains("Page 1 of " + n.ToString(CultureInfo.InvariantCulture), pages[0], StringComparison.Ordinal);
        for (var i = 0; i < n; i++)
        {
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Page {i + 1} of {n}"), pages[i], StringComparison.Ordinal);
            Assert.Contains(Snapshots.Id.ToString("D"), pages[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cover_lists_the_vessels_and_the_snapshot_facts()
    {
        var room = Snapshots.Small();
        var message = Snapshots.For(room, "pdf");

        var text = PdfText.Extract(_renderer.Render(message, room).Content);

        Assert.Contains("Off Skaw, Denmark", text, StringComparison.Ordinal);
        Assert.Contains("2026-12-01 08:00:00 UTC", text, StringComparison.Ordinal);
        Assert.Contains("9100101", text, StringComparison.Ordinal);
        Assert.Contains("Daughter", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-20 14:03:07 UTC", text, StringComparison.Ordinal);
        Assert.Contains(message.CreatedBy, text, StringComparison.Ordinal);
        Assert.Contains(message.ContentHash, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Greek_cyrillic_and_accented_latin_survive_text_extraction()
    {
        var room = Snapshots.Small();
        room.Parties.Add(new Party { Email = "athina@example.com", Role = PartyRole.Broker, Company = "Société Générale Énergie", Name = "Αθηνά Παπαδοπούλου" });
        room.Parties.Add(new Party { Email = "dmitry@example.com", Role = PartyRole.Buyer, Company = "Совкомфлот", Name = "Дмитрий Иванов" });

        var text = PdfText.Extract(_renderer.Render(Snapshots.For(room, "pdf"), room).Content);

        Assert.Contains("Αθηνά Παπαδοπούλου", text, StringComparison.Ordinal);
        Assert.Contains("Дмитрий Иванов", text, StringComparison.Ordinal);
        Assert.Contains("Совкомфлот", text, StringComparison.Ordinal);
        Assert.Contains("Société Générale Énergie", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_note_without_spaces_is_wrapped_not_truncated()
    {
        var room = Snapshots.Small();
        var note = string.Concat(Enumerable.Range(0, 150).Select(i => $"N{i:D4}abcde"));
        Assert.Equal(1500, note.Length);
        room.Documents[0].Notes = "Before: " + note + " after.";

        var text = PdfText.Extract(_renderer.Render(Snapshots.For(room, "pdf"), room).Content);

        Assert.Contains(note, PdfText.WithoutWhitespace(text), StringComparison.Ordinal);
        Assert.Contains("after.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_taller_than_a_page_continues_on_the_next_pages_without_losing_words()
    {
        var room = Snapshots.Small();
        var words = Enumerable.Range(0, 660).Select(i => $"w{i:D4}").ToArray();
        room.Documents[0].Notes = string.Join(' ', words);
        Assert.InRange(room.Documents[0].Notes.Length, 3000, 4000);

        var rendered = _renderer.Render(Snapshots.For(room, "pdf"), room);
        var text = PdfText.Extract(rendered.Content);

        Assert.True(rendered.PageCount >= 3, $"a 4,000-character note in a narrow column should span pages, got {rendered.PageCount}");
        var from = 0;
        foreach (var word in words)
        {
            var at = text.IndexOf(word, from, StringComparison.Ordinal);
            Assert.True(at >= 0, $"'{word}' is missing or out of order");
            from = at + word.Length;
        }
    }

    [Fact]
    public void Document_and_approval_statuses_are_marked()
    {
        var room = Snapshots.Small();
        room.Documents.Add(new Document { Id = "doc-2", Type = "Crew List", Vessel = "MT Boreas", Status = DocumentStatus.UnderReview, UploadedBy = "owner@example.com" });

        var text = PdfText.Extract(_renderer.Render(Snapshots.For(room, "pdf"), room).Content);

        Assert.Contains("REJECTED", text, StringComparison.Ordinal);
        Assert.Contains("UNDER REVIEW", text, StringComparison.Ordinal);
        Assert.Contains("GRANTED", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rendering_the_same_snapshot_twice_gives_identical_bytes()
    {
        var room = Snapshots.Fixture("small");
        var message = Snapshots.For(room, "pdf");

        var first = _renderer.Render(message, room).Content;
        var second = new PdfRenderer().Render(message, room).Content;

        Assert.Equal(first, second);
    }

    [Fact]
    public void Renders_running_in_parallel_give_the_same_bytes_as_one_alone()
    {
        var room = Snapshots.Fixture("medium");
        var message = Snapshots.For(room, "pdf");
        var alone = _renderer.Render(message, room).Content;

        var parallel = new byte[8][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = _renderer.Render(message, room).Content);

        Assert.All(parallel, bytes => Assert.Equal(alone, bytes));
    }

    [Fact]
    public void File_identity_and_dates_come_from_the_snapshot_not_the_clock()
    {
        var room = Snapshots.Small();
        var other = Guid.Parse("2f1e0d3c-4b5a-4978-8695-a4b3c2d1e0f9");

        var pdf = Encoding.Latin1.GetString(_renderer.Render(Snapshots.For(room, "pdf"), room).Content);
        var otherPdf = Encoding.Latin1.GetString(_renderer.Render(Snapshots.For(room, "pdf", id: other), room).Content);

        Assert.Contains("/CreationDate(D:20261120140307+00'00')", pdf, StringComparison.Ordinal);
        Assert.Contains("/ModDate(D:20261120140307+00'00')", pdf, StringComparison.Ordinal);
        Assert.Contains($"<xmpMM:DocumentID>uuid:{Snapshots.Id:D}</xmpMM:DocumentID>", pdf, StringComparison.Ordinal);
        Assert.Contains($"<xmpMM:InstanceID>uuid:{Snapshots.Id:D}</xmpMM:InstanceID>", pdf, StringComparison.Ordinal);
        var fileId = Convert.ToHexString(Snapshots.Id.ToByteArray());
        Assert.Contains($"/ID[<{fileId}><{fileId}>]", pdf, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"<xmpMM:DocumentID>uuid:{other:D}</xmpMM:DocumentID>", otherPdf, StringComparison.Ordinal);
    }

    [Fact]
    public void Excluded_sections_are_left_out()
    {
        var room = Snapshots.Small();
        var options = new RenderOptions(IncludeDocuments: false, IncludeActivity: false, IncludeApprovals: false, ActivityLimit: 0);

        var text = PdfText.Extract(_renderer.Render(Snapshots.For(room, "pdf", options), room).Content);

        Assert.Contains("Parties (1)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("document.uploaded", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Q88 Questionnaire", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Approvals (", text, StringComparison.Ordinal);
        Assert.DoesNotContain("GRANTED", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Activity_limit_keeps_only_the_newest_entries()
    {
        var room = Snapshots.Small();
        room.Activities.Clear();
        for (var i = 1; i <= 20; i++)
        {
            var at = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 2, 8, i, 0, TimeSpan.Zero));
            room.Activities.Add(new Activity { At = at, Actor = "owner@example.com", Action = "document.reviewed", Detail = $"event-{i:D3}" });
        }

        var options = Snapshots.Everything with { ActivityLimit = 5 };
        var text = PdfText.Extract(_renderer.Render(Snapshots.For(room, "pdf", options), room).Content);

        Assert.Contains("Activity (5)", text, StringComparison.Ordinal);
        Assert.Contains("newest 5 of 20 entries", text, StringComparison.Ordinal);
        for (var i = 16; i <= 20; i++)
            Assert.Contains($"event-{i:D3}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("event-015", text, StringComparison.Ordinal);
        Assert.DoesNotContain("event-001", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_sections_say_none()
    {
        var room = Snapshots.Small();
        room.Documents.Clear();

        var text = PdfText.Extract(_renderer.Render(Snapshots.For(room, "pdf"), room).Content);

        Assert.Contains("Documents (0)", text, StringComparison.Ordinal);
        Assert.Contains("None.", text, StringComparison.Ordinal);
    }
}
