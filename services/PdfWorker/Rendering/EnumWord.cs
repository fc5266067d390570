using Sts.Shared.Text;

namespace Sts.PdfWorker.Rendering;

/// <summary>
/// The short lower-case word for a protobuf enum value ("under_review" for DocumentStatus.UnderReview),
/// as the platform's room files and the API's database spell them.
/// </summary>
public static class EnumWord<T>
    where T : struct, Enum
{
    private static readonly Dictionary<T, string> Words = Enum.GetValues<T>().ToDictionary(v => v, v => SnakeCase.From(v.ToString()));

    /// <summary>The word for <paramref name="value"/>; a number the contract does not know yet comes out as that number.</summary>
    public static string Of(T value) => Words.TryGetValue(value, out var word) ? word : value.ToString();
}
