using System.Text;

namespace Sts.PdfWorker.Tests.Support;

/// <summary>A strict RFC 4180 reader: CRLF between records, quotes only around whole fields, "" inside them.</summary>
internal static class Rfc4180
{
    /// <summary>Parses <paramref name="csv"/>, throwing FormatException on anything RFC 4180 does not allow.</summary>
    public static List<string[]> Parse(string csv)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < csv.Length)
        {
            if (csv[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= csv.Length)
                        throw new FormatException("Unterminated quoted field.");
                    if (csv[i] == '"')
                    {
                        if (i + 1 < csv.Length && csv[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(csv[i++]);
                }
            }
            else
            {
                while (i < csv.Length && csv[i] is not (',' or '\r' or '\n'))
                {
                    if (csv[i] == '"')
                        throw new FormatException($"Quote inside an unquoted field at {i}.");
                    field.Append(csv[i++]);
                }
            }

            fields.Add(field.ToString());
            field.Clear();
            if (i == csv.Length)
                throw new FormatException("The last record does not end with CRLF.");
            if (csv[i] == ',')
            {
                i++;
                continue;
            }
            if (csv[i] != '\r' || i + 1 >= csv.Length || csv[i + 1] != '\n')
                throw new FormatException($"Records must end with CRLF (at {i}).");
            i += 2;
            records.Add([.. fields]);
            fields.Clear();
        }
        return records;
    }
}
