using System.Globalization;
using System.Reflection;

namespace Sts.PdfWorker.Rendering.Text.Unicode;

/// <summary>Reads the Unicode Character Database files embedded from this folder.</summary>
internal static class UnicodeDataFile
{
    public static IEnumerable<string> Lines(string file)
    {
        var name = $"Sts.PdfWorker.Rendering.Text.Unicode.{file}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Unicode data resource '{name}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            yield return line;
    }

    public static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
