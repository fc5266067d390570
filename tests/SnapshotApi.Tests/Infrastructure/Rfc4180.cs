using System.Text;

namespace Sts.SnapshotApi.Tests.Infrastructure;

/// <summary>A strict RFC 4180 reader for checking CSV output: CRLF records, quoted fields, doubled quotes.</summary>
public static class Rfc4180
{
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new FormatException("Unterminated quoted field.");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    field.Append(text[i++]);
                }
            }
            while (i < text.Length && text[i] != ',' && text[i] != '\r')
            {
                if (text[i] is '"' or '\n') throw new FormatException($"Bare {(text[i] == '"' ? "quote" : "LF")} at {i}.");
                field.Append(text[i++]);
            }
            row.Add(field.ToString());
            field.Clear();
            if (i >= text.Length) break;
            if (text[i] == ',') { i++; continue; }
            if (i + 1 >= text.Length || text[i + 1] != '\n') throw new FormatException($"CR without LF at {i}.");
            i += 2;
            rows.Add(row);
            row = [];
        }
        if (row.Count > 1 || (row.Count == 1 && row[0].Length > 0)) rows.Add(row);
        return rows;
    }
}
