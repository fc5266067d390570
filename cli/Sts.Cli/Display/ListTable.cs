using Spectre.Console;
using Spectre.Console.Rendering;

namespace Sts.Cli.Display;

/// <summary>Writes rows under headers. Cells are plain text, never markup, since they hold user data.</summary>
public static class ListTable
{
    public static void Write(string[] headers, IEnumerable<string[]> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers) table.AddColumn(new TableColumn(new Text(header)));
        foreach (var row in rows) table.AddRow(row.Select(cell => (IRenderable)new Text(cell)));
        AnsiConsole.Write(table);
    }
}
