using System.Globalization;
using System.Text;

namespace Sts.SnapshotApi.Schedules;

/// <summary>Titles of scheduled snapshots: a template with {room}, {date}, {time} and {slot}, filled in for each slot.</summary>
public static class TitleTemplate
{
    public const string Default = "Scheduled snapshot {slot}";
    public const int MaxTitle = 200;

    // The widest each placeholder can become: a room id is at most 64 characters; "2027-10-31T02:30:00+01:00" is 25.
    private static readonly Dictionary<string, int> Widths = new(StringComparer.Ordinal) { ["room"] = 64, ["date"] = 10, ["time"] = 5, ["slot"] = 25 };

    /// <summary>Null when the template can be used; otherwise what is wrong with it.</summary>
    public static string? Problem(string template)
    {
        if (!TryParse(template, out var parts, out var error)) return error;
        var widest = parts.Sum(p => p.Placeholder ? Widths[p.Text] : p.Text.Length);
        return widest > MaxTitle ? $"can fill in to {widest} characters; titles have at most {MaxTitle}" : null;
    }

    /// <param name="slot">The slot's due time in the schedule's time zone.</param>
    public static string Render(string template, string roomId, DateTimeOffset slot)
    {
        if (!TryParse(template, out var parts, out var error)) throw new FormatException($"Title template '{template}' {error}.");
        var title = new StringBuilder();
        foreach (var (placeholder, text) in parts)
        {
            title.Append(!placeholder ? text : text switch
            {
                "room" => roomId,
                "date" => slot.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                "time" => slot.ToString("HH:mm", CultureInfo.InvariantCulture),
                _ => slot.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            });
        }
        return title.ToString();
    }

    private static bool TryParse(string template, out List<(bool Placeholder, string Text)> parts, out string? error)
    {
        parts = [];
        error = null;
        var literal = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            var doubled = i + 1 < template.Length && template[i + 1] == c;
            if (c == '}' && !doubled)
            {
                error = "has a '}' without its '{' (write }} for a brace)";
                return false;
            }
            if (c != '{' || doubled)
            {
                literal.Append(c);
                if (c is '{' or '}') i++;
                continue;
            }
            var end = template.IndexOf('}', i);
            if (end < 0)
            {
                error = "has a '{' without its '}' (write {{ for a brace)";
                return false;
            }
            var name = template[(i + 1)..end];
            if (!Widths.ContainsKey(name))
            {
                error = $"has an unknown placeholder {{{(name.Length > 20 ? name[..20] + "..." : name)}}}; use {{room}}, {{date}}, {{time}} or {{slot}}";
                return false;
            }
            if (literal.Length > 0) parts.Add((false, literal.ToString()));
            literal.Clear();
            parts.Add((true, name));
            i = end;
        }
        if (literal.Length > 0) parts.Add((false, literal.ToString()));
        return true;
    }
}
