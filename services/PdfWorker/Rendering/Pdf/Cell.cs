namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>One table cell: its text and how to draw it.</summary>
internal readonly record struct Cell(string Text, CellKind Kind = CellKind.Text, Rgb? Fill = null)
{
    /// <summary>A field name in a facts table.</summary>
    public static Cell Key(string text) => new(text, CellKind.Key);

    /// <summary>A status word ("under_review") drawn as a coloured label ("UNDER REVIEW").</summary>
    public static Cell Status(string word, Rgb fill) => new(word.Replace('_', ' ').ToUpperInvariant(), CellKind.Status, fill);
}

/// <summary>How a cell's text is drawn.</summary>
internal enum CellKind
{
    Text,
    Key,
    Status,
}
