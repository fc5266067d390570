using System.Globalization;
using Sts.Api.V1;
using Sts.PdfWorker.Rendering.Pdf;
using Sts.Shared.Messaging;
using Sts.Shared.Rooms;
using static Sts.PdfWorker.Rendering.Pdf.ReportStyle;

namespace Sts.PdfWorker.Rendering;

/// <summary>
/// The "Changes since ..." section a PDF opens with when its snapshot was created with compare_to_snapshot_id: the same
/// <see cref="RoomDiff"/> DiffSnapshots serves, as a summary and a table of changes, field by field.
/// </summary>
internal static class ChangesSection
{
    /// <summary>Activity entries listed at most; a log grows by thousands, and the activity section shows them all anyway.</summary>
    public const int MaxActivityRows = 200;

    private static readonly Column[] SummaryColumns = [new("Section", 120), new("Added", 60), new("Removed", 60), new("Changed", ContentWidth - 240)];
    private static readonly Column[] ChangeColumns =
    [
        new("Section", 58), new("Change", 56), new("Item", 104), new("Field", 62), new("Before", (ContentWidth - 280) / 2), new("After", (ContentWidth - 280) / 2),
    ];
    private static readonly Column[] ActivityColumns = [new("Change", 56), new("Time (UTC)", 88), new("Actor", 106), new("Action", 90), new("Detail", ContentWidth - 340)];

    public static void Write(ReportWriter report, GenerateSnapshot message, ComparedSnapshot compared, RoomDiff diff)
    {
        report.Heading($"Changes since {PdfRenderer.DateTimeText(compared.CreatedAt)}");
        report.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"Compared with snapshot {compared.SnapshotId:D} (\u201c{compared.Title}\u201d): room version {compared.RoomVersion} then, {message.RoomVersion} in this snapshot."),
            ReportFonts.Body, Ink);
        report.Space(4);
        if (diff.IsEmpty)
        {
            report.Note("No changes: the room was the same then.");
            return;
        }

        var summary = report.Table(SummaryColumns);
        foreach (var s in diff.Summary)
            summary.AddRow([new(SectionName(s.Section)), new(Count(s.Added)), new(Count(s.Removed)), new(Count(s.Changed))]);

        var items = diff.Changes.Where(c => c.Section != DiffSection.Activity).ToList();
        if (items.Count > 0)
        {
            report.Space(6);
            var table = report.Table(ChangeColumns);
            foreach (var change in items)
                AddRows(table, change);
        }

        var activity = diff.Changes.Where(c => c.Section == DiffSection.Activity).ToList();
        if (activity.Count == 0)
            return;
        report.Space(6);
        var entries = report.Table(ActivityColumns);
        foreach (var change in activity.Take(MaxActivityRows))
        {
            entries.AddRow(
            [
                Label(change.Kind), new(Time(Value(change, "at"))), new(Value(change, "actor")), new(Value(change, "action")), new(Value(change, "detail")),
            ]);
        }
        if (activity.Count > MaxActivityRows)
            report.Note(string.Create(CultureInfo.InvariantCulture, $"{activity.Count - MaxActivityRows} more activity entries differ; they are not listed here."));
    }

    /// <summary>A changed item takes a row per field that differs; an added or removed one, a row with all its fields.</summary>
    private static void AddRows(ReportTable table, RoomChange change)
    {
        var section = SectionName(change.Section);
        if (change.Kind != ChangeKind.Changed)
        {
            var fields = string.Join("; ", change.Fields.Select(f => $"{f.Field}: {(change.Kind == ChangeKind.Added ? f.After : f.Before)}"));
            var (before, after) = change.Kind == ChangeKind.Added ? ("", fields) : (fields, "");
            table.AddRow([new(section), Label(change.Kind), new(change.Key), new("(all)"), new(before), new(after)]);
            return;
        }
        // The section, label and item only on the first row of an item: the rows under it are its other fields.
        for (var i = 0; i < change.Fields.Count; i++)
        {
            var field = change.Fields[i];
            if (i == 0)
                table.AddRow([new(section), Label(change.Kind), new(change.Key), new(field.Field), new(field.Before), new(field.After)]);
            else
                table.AddRow([new(""), new(""), new(""), new(field.Field), new(field.Before), new(field.After)]);
        }
    }

    private static Cell Label(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => Cell.Status("added", Good),
        ChangeKind.Removed => Cell.Status("removed", Bad),
        _ => Cell.Status("changed", InProgress),
    };

    private static string Value(RoomChange change, string field) =>
        change.Fields.FirstOrDefault(f => f.Field == field) is { } f ? (change.Kind == ChangeKind.Removed ? f.Before : f.After) : "";

    private static string SectionName(DiffSection section) => section switch
    {
        DiffSection.Room => "Room",
        DiffSection.Parties => "Parties",
        DiffSection.Vessels => "Vessels",
        DiffSection.Documents => "Documents",
        DiffSection.Approvals => "Approvals",
        _ => "Activity",
    };

    /// <summary>An RFC 3339 time from the diff as the report's tables write times.</summary>
    private static string Time(string rfc3339) =>
        DateTimeOffset.TryParse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? PdfRenderer.TableTime(at) : rfc3339;

    private static string Count(int n) => n == 0 ? "" : n.ToString(CultureInfo.InvariantCulture);
}
