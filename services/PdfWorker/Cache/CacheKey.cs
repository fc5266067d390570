using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Sts.PdfWorker.Cache;

/// <summary>Render cache keys are lower-case hex SHA-256 strings. They become file names, so nothing else is accepted.</summary>
internal static class CacheKey
{
    public const int Length = 64;

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    public static bool IsValid([NotNullWhen(true)] string? key) => key is { Length: Length } && !key.AsSpan().ContainsAnyExcept(LowerHex);

    public static void ThrowIfInvalid([NotNull] string? key, [CallerArgumentExpression(nameof(key))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (!IsValid(key)) throw new ArgumentException("A render cache key must be a lower-case hex SHA-256: 64 characters 0-9 and a-f.", paramName);
    }
}
