using System.Text;

namespace Sts.Shared.Text;

/// <summary>PascalCase to snake_case ("UnderReview" → "under_review"): how enum values, columns and statuses are spelled outside C#.</summary>
public static class SnakeCase
{
    public static string From(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }
}
