using System.Text.RegularExpressions;

namespace Sts.Shared.Text;

/// <summary>
/// The one definition of an identifier that may end up in a storage key or file path (room ids, document ids):
/// 1-64 characters from [A-Za-z0-9_-], starting with a letter or digit. The API validates with it and the storage
/// keys are composed from it, so the two can never disagree.
/// </summary>
public static partial class SafeId
{
    /// <summary>The pattern without anchors, for composing into other patterns.</summary>
    public const string Pattern = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";

    public const string Description = "1-64 characters from [A-Za-z0-9_-], starting with a letter or digit";

    public static bool IsValid(string value) => WholePattern().IsMatch(value);

    [GeneratedRegex("^" + Pattern + "\\z")]
    private static partial Regex WholePattern();
}
