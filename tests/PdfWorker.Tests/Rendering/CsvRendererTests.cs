using System.Text;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;

namespace Sts.PdfWorker.Tests.Rendering;

public sealed class CsvRendererTests
{
    private readonly CsvRenderer _renderer = new();

    [Fact]
    public void Csv_has_a_header_and_one_row_per_document()
    {
        var room = Snapshots.Fixture("medium");

        var records = Rfc4180.Parse(Encoding.UTF8.GetString(_renderer.Render(Snapshots.For(room, "csv"), room).Content));

        Assert.Equal(["id", "type", "vessel", "status", "expires_on", "uploaded_by", "notes"], records[0]);
        Assert.Equal(room.Documents.Count, records.Count - 1);
        for (var i = 0; i < room.Documents.Count; i++)
        {
            var d = room.Documents[i];
            Assert.Equal([d.Id, d.Type, d.Vessel, EnumWord<Sts.Api.V1.DocumentStatus>.Of(d.Status), d.ExpiresOn, d.UploadedBy, d.Notes], records[i + 1]);
        }
    }

    [Fact]
    public void Status_is_the_short_word()
    {
        var room = Snapshots.Small();
        room.Documents[0].Status = Sts.Api.V1.DocumentStatus.UnderReview;

        var records = Rfc4180.Parse(Encoding.UTF8.GetString(_renderer.Render(Snapshots.For(room, "csv"), room).Content));

        Assert.Equal("under_review", records[1][3]);
    }

    [Fact]
    public void Values_with_commas_quotes_and_line_breaks_round_trip()
    {
        var room = Snapshots.Small();
        const string tricky = "Seen by \"Ops\", twice\r\nsecond line\nthird, \"quoted\" line\r";
        room.Documents[0].Notes = tricky;
        room.Documents[0].Type = "Certificate, \"special\"";

        var csv = Encoding.UTF8.GetString(_renderer.Render(Snapshots.For(room, "csv"), room).Content);
        var records = Rfc4180.Parse(csv);

        Assert.Equal(2, records.Count);
        Assert.Equal(tricky, records[1][6]);
        Assert.Equal("Certificate, \"special\"", records[1][1]);
    }

    [Fact]
    public void Csv_is_utf8_without_bom_with_crlf_line_ends()
    {
        var room = Snapshots.Small();
        room.Documents[0].UploadedBy = "δοκιμή@example.com";

        var bytes = _renderer.Render(Snapshots.For(room, "csv"), room).Content;
        var csv = Encoding.UTF8.GetString(bytes);

        Assert.False(bytes.AsSpan().StartsWith("\uFEFF"u8), "the CSV must not start with a byte-order mark");
        Assert.StartsWith("id,type,vessel,status,expires_on,uploaded_by,notes\r\n", csv, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("δοκιμή@example.com", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_without_documents_section_has_only_the_header()
    {
        var room = Snapshots.Small();
        var options = Snapshots.Everything with { IncludeDocuments = false };

        var records = Rfc4180.Parse(Encoding.UTF8.GetString(_renderer.Render(Snapshots.For(room, "csv", options), room).Content));

        Assert.Single(records);
    }

    /// <summary>
    /// The tests' one CSV reader (Support/Rfc4180.cs, also the end-to-end tests') expects what the renderer writes: every
    /// record, the last one included, ends with CRLF. Text without the final CRLF is not what the product emits, and is refused.
    /// </summary>
    [Fact]
    public void The_last_record_ends_with_crlf_and_the_reader_refuses_text_without_it()
    {
        var room = Snapshots.Small();
        var csv = Encoding.UTF8.GetString(_renderer.Render(Snapshots.For(room, "csv"), room).Content);

        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
        Assert.Equal(room.Documents.Count + 1, Rfc4180.Parse(csv).Count);
        Assert.Throws<FormatException>(() => Rfc4180.Parse(csv[..^2]));
        Assert.Equal([["a", "b"], ["c", "d"]], Rfc4180.Parse("a,b\r\nc,d\r\n"));
    }
}
