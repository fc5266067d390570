using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Sts.Shared.Text;

namespace Sts.SnapshotApi.Data;

/// <summary>Stores a protobuf enum as its short snake_case name ("under_review"), readable in SQL and stable across renumbering.</summary>
public sealed class EnumText<T>() : ValueConverter<T, string>(v => ToText(v), s => FromText(s))
    where T : struct, Enum
{
    private static readonly Dictionary<T, string> Names = Enum.GetValues<T>().ToDictionary(v => v, v => SnakeCase.From(v.ToString()));
    private static readonly Dictionary<string, T> Values = Names.ToDictionary(kv => kv.Value, kv => kv.Key);

    public static string ToText(T value) => Names[value];

    public static T FromText(string text) => Values[text];
}
