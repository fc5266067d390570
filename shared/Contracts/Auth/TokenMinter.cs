using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sts.Shared.Auth;

/// <summary>Mints signed bearer tokens with the shared signing key, for development, the CLI and tests.</summary>
public static class TokenMinter
{
    public static string Mint(TokenSettings settings, string email, string? role, IEnumerable<string> scopes, TimeSpan lifetime, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new(StsClaims.Subject, email), new(StsClaims.Email, email) };
        if (!string.IsNullOrEmpty(role)) claims.Add(new Claim(StsClaims.Role, role));
        var scope = string.Join(' ', scopes.Where(s => s.Length > 0));
        if (scope.Length > 0) claims.Add(new Claim(StsClaims.Scope, scope));

        // NotBefore must not be after Expires, even for the deliberately expired tokens tests mint.
        var expires = now + lifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = expires < now ? expires : now,
            NotBefore = expires < now ? expires : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(settings.CreateKey(), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
