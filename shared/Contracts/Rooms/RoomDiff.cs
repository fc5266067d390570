using System.Globalization;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.Shared.Text;

namespace Sts.Shared.Rooms;

/// <summary>
/// What changed from one frozen room state to another: the room's own fields, then parties (by email), vessels (by IMO),
/// documents (by id), approvals (by party role), each item added, removed or changed field by field, and the activity
/// entries one log has and the other has not. A pure function of the two rooms, so the same pair always gives the same
/// changes in the same order, and a room compared with itself gives none. DiffSnapshots pages through it; a PDF's
/// "Changes since" section draws it.
/// </summary>
public sealed class RoomDiff
{
    private static readonly DiffSection[] Sections = [.. System.Enum.GetValues<DiffSection>().Where(s => s != DiffSection.Unspecified)];

    private RoomDiff(List<RoomChange> changes)
    {
        Changes = changes;
        Summary = Sections
            .Select(section => new DiffSectionSummary
            {
                Section = section,
                Added = changes.Count(c => c.Section == section && c.Kind == ChangeKind.Added),
                Removed = changes.Count(c => c.Section == section && c.Kind == ChangeKind.Removed),
                Changed = changes.Count(c => c.Section == section && c.Kind == ChangeKind.Changed),
            })
            .Where(s => s.Added + s.Removed + s.Changed > 0)
            .ToList();
    }

    /// <summary>Every change, in order: by section, then by key (activity entries by time, then by place in the log).</summary>
    public IReadOnlyList<RoomChange> Changes { get; }

    /// <summary>Added, removed and changed counts of each section that has changes, in section order.</summary>
    public IReadOnlyList<DiffSectionSummary> Summary { get; }

    public bool IsEmpty => Changes.Count == 0;

    public static RoomDiff Compute(Room from, Room to)
    {
        var changes = new List<RoomChange>();
        var room = Changed(RoomFields(from), RoomFields(to));
        if (room.Count > 0)
            changes.Add(Change(DiffSection.Room, ChangeKind.Changed, to.Id, room));
        Items(DiffSection.Parties, from.Parties, to.Parties, p => p.Email,
            p => [("role", Word(p.Role)), ("company", p.Company), ("name", p.Name)], changes);
        Items(DiffSection.Vessels, from.Vessels, to.Vessels, v => v.Imo,
            v => [("name", v.Name), ("role", Word(v.Role))], changes);
        Items(DiffSection.Documents, from.Documents, to.Documents, d => d.Id,
            d => [("type", d.Type), ("vessel", d.Vessel), ("status", Word(d.Status)), ("expires_on", d.ExpiresOn), ("uploaded_by", d.UploadedBy), ("notes", d.Notes)],
            changes);
        Items(DiffSection.Approvals, from.Approvals, to.Approvals, a => Word(a.PartyRole),
            a => [("status", Word(a.Status)), ("decided_by", a.DecidedBy), ("decided_at", Time(a.DecidedAt))], changes);
        Activities(from.Activities, to.Activities, changes);
        return new RoomDiff(changes);
    }

    /// <summary>An enum value as the lower-case word room files and the API use ("under_review").</summary>
    public static string Word<T>(T value) where T : struct, System.Enum => SnakeCase.From(value.ToString());

    /// <summary>RFC 3339 in UTC, or empty when unset.</summary>
    public static string Time(Timestamp? at) =>
        at is null ? "" : at.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static (string, string)[] RoomFields(Room room) =>
        [("version", room.Version.ToString(CultureInfo.InvariantCulture)), ("title", room.Title), ("location", room.Location), ("sts_eta", Time(room.StsEta))];

    /// <summary>Items matched by key (the n-th occurrence of a key with the n-th), in key order.</summary>
    private static void Items<T>(
        DiffSection section, RepeatedField<T> from, RepeatedField<T> to, Func<T, string> key, Func<T, (string Field, string Value)[]> fields,
        List<RoomChange> changes) where T : class
    {
        var before = Keyed(from, key);
        var after = Keyed(to, key);
        foreach (var k in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var was = before.GetValueOrDefault(k);
            var now = after.GetValueOrDefault(k);
            if (was is null)
                changes.Add(Change(section, ChangeKind.Added, k, Present(fields(now!), added: true)));
            else if (now is null)
                changes.Add(Change(section, ChangeKind.Removed, k, Present(fields(was), added: false)));
            else if (!was.Equals(now) && Changed(fields(was), fields(now)) is { Count: > 0 } differing)
                changes.Add(Change(section, ChangeKind.Changed, k, differing));
        }
    }

    private static Dictionary<string, T> Keyed<T>(RepeatedField<T> items, Func<T, string> key)
    {
        var keyed = new Dictionary<string, T>(items.Count, StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var k = key(item);
            var n = seen[k] = seen.GetValueOrDefault(k) + 1;
            keyed[n == 1 ? k : string.Create(CultureInfo.InvariantCulture, $"{k} #{n}")] = item;
        }
        return keyed;
    }

    /// <summary>
    /// Entries in one log and not the other, as multisets (an entry that occurs twice in one and once in the other is one
    /// change), ordered by time and then by place in their log. The log only grows, so normally these are the entries
    /// added between the two points in time.
    /// </summary>
    private static void Activities(RepeatedField<Activity> from, RepeatedField<Activity> to, List<RoomChange> changes)
    {
        var unmatched = new Dictionary<Activity, int>(from.Count);
        foreach (var entry in from)
            unmatched[entry] = unmatched.GetValueOrDefault(entry) + 1;
        var found = new List<(Activity Entry, ChangeKind Kind, int Index)>();
        for (var i = 0; i < to.Count; i++)
        {
            if (unmatched.TryGetValue(to[i], out var left) && left > 0)
                unmatched[to[i]] = left - 1;
            else
                found.Add((to[i], ChangeKind.Added, i));
        }
        for (var i = 0; i < from.Count; i++)
        {
            if (unmatched.TryGetValue(from[i], out var left) && left > 0)
            {
                unmatched[from[i]] = left - 1;
                found.Add((from[i], ChangeKind.Removed, i));
            }
        }
        foreach (var (entry, kind, _) in found
            .OrderBy(f => f.Entry.At?.Seconds ?? long.MinValue).ThenBy(f => f.Entry.At?.Nanos ?? 0).ThenBy(f => f.Kind).ThenBy(f => f.Index))
        {
            (string, string)[] fields = [("at", Time(entry.At)), ("actor", entry.Actor), ("action", entry.Action), ("detail", entry.Detail)];
            changes.Add(Change(DiffSection.Activity, kind, Time(entry.At), Present(fields, kind == ChangeKind.Added)));
        }
    }

    private static List<FieldChange> Changed((string Field, string Value)[] before, (string Field, string Value)[] after)
    {
        var changed = new List<FieldChange>();
        for (var i = 0; i < before.Length; i++)
        {
            if (!string.Equals(before[i].Value, after[i].Value, StringComparison.Ordinal))
                changed.Add(new FieldChange { Field = before[i].Field, Before = before[i].Value, After = after[i].Value });
        }
        return changed;
    }

    /// <summary>The non-empty fields of an item that is on one side only.</summary>
    private static List<FieldChange> Present((string Field, string Value)[] fields, bool added) =>
        fields.Where(f => f.Value.Length > 0)
            .Select(f => new FieldChange { Field = f.Field, Before = added ? "" : f.Value, After = added ? f.Value : "" })
            .ToList();

    private static RoomChange Change(DiffSection section, ChangeKind kind, string key, List<FieldChange> fields)
    {
        var change = new RoomChange { Section = section, Kind = kind, Key = key };
        change.Fields.AddRange(fields);
        return change;
    }
}
