using Spectre.Console;

namespace Sts.Cli.Display;

/// <summary>Writes label/value pairs as aligned lines, leaving out empty values.</summary>
public static class Details
{
    private static readonly Style LabelStyle = new(decoration: Decoration.Bold);

    public static void Write(params (string Label, string Value)[] rows)
    {
        var shown = rows.Select(r => (r.Label, Value: r.Value.Trim())).Where(r => r.Value.Length > 0).ToList();
        var width = shown.Max(r => r.Label.Length) + 2;
        foreach (var (label, value) in shown)
        {
            AnsiConsole.Write(new Text(label.PadRight(width), LabelStyle));
            AnsiConsole.Write(new Text(value));
            AnsiConsole.WriteLine();
        }
    }
}
