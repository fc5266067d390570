using System.Security.Claims;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Auth;

/// <summary>The authenticated caller of the current RPC.</summary>
public sealed record Caller(string Email, bool IsPlatformAdmin, IReadOnlySet<string> Scopes)
{
    public bool HasScope(string scope) => Scopes.Contains(scope);

    /// <summary>
    /// The identity is stored and compared in PostgreSQL: it must be a plausible email with no control
    /// characters (a NUL cannot even be stored), or the token names nobody.
    /// </summary>
    public static bool IsPlausibleIdentity(string? email) =>
        !string.IsNullOrWhiteSpace(email) && email.Length <= 254 && !email.Any(char.IsControl) && email.Contains('@');

    /// <summary>Reads the caller from a validated token, or null when the token names nobody.</summary>
    public static Caller? From(ClaimsPrincipal user)
    {
        var email = user.FindFirst(StsClaims.Email)?.Value ?? user.FindFirst(StsClaims.Subject)?.Value;
        if (!IsPlausibleIdentity(email)) return null;
        var isAdmin = user.FindAll(StsClaims.Role).Any(c => c.Value == StsClaims.AdminRole);
        var scopes = user.FindAll(StsClaims.Scope)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal);
        return new Caller(email!.Trim().ToLowerInvariant(), isAdmin, scopes);
    }
}
