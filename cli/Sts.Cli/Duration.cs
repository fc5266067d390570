using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sts.Cli;

/// <summary>Durations written the way people type them ("500ms", "30s", "5m", "8h", "1h30m"), or as hh:mm:ss.</summary>
public static partial class Duration
{
    private const string Examples = "such as 500ms, 30s, 5m, 8h or 1h30m";

    /// <summary>An option that takes a duration and falls back to <paramref name="defaultValue"/>.</summary>
    public static Option<TimeSpan> Option(string name, TimeSpan defaultValue, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result) ?? defaultValue,
    };

    /// <summary>An option that takes a duration and is null when absent.</summary>
    public static Option<TimeSpan?> OptionalOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = Parse,
    };

    public static bool TryParse(string text, out TimeSpan value)
    {
        // Help prints defaults as hh:mm:ss, so that form is accepted too.
        if (text.Contains(':', StringComparison.Ordinal)) return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        value = TimeSpan.Zero;
        var end = 0;
        foreach (Match part in Part().Matches(text))
        {
            var amount = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            value += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            end = part.Index + part.Length;
        }
        return end > 0 && end == text.Length;
    }

    public static string Format(TimeSpan value) => value switch
    {
        { TotalSeconds: < 1 } => $"{value.TotalMilliseconds:0}ms",
        { TotalMinutes: < 1 } => $"{value.TotalSeconds:0.#}s",
        { TotalHours: < 1, Seconds: 0 } => $"{(int)value.TotalMinutes}m",
        { TotalHours: < 1 } => $"{(int)value.TotalMinutes}m{value.Seconds:00}s",
        { Minutes: 0 } => $"{(int)value.TotalHours}h",
        _ => $"{(int)value.TotalHours}h{value.Minutes:00}m",
    };

    private static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var value) && value > TimeSpan.Zero) return value;
        result.AddError($"'{text}' is not a positive duration; write one {Examples}.");
        return null;
    }

    // \G chains the parts: "1h30m" matches twice, "1h x" stops before the gap and fails the length check.
    [GeneratedRegex(@"\G(\d{1,6})(ms|s|m|h|d)")]
    private static partial Regex Part();
}
