using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>
/// Compact JWS tokens built by hand, so that tests can make what no library would: unsigned tokens, an algorithm that
/// does not fit the key, a forged key id, a payload swapped after signing.
/// </summary>
public static class HandMadeJwt
{
    /// <summary>base64url(header).base64url(payload).base64url(signature); an empty signature when <paramref name="sign"/> is null.</summary>
    public static string Build(string algorithm, JsonObject claims, Func<byte[], byte[]>? sign, string? keyId = null)
    {
        var header = new JsonObject { ["alg"] = algorithm, ["typ"] = "JWT" };
        if (keyId is not null) header["kid"] = keyId;
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))
            + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = sign is null ? "" : Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)));
        return signingInput + "." + signature;
    }

    /// <summary>
    /// The claims of a token valid for ten minutes from <paramref name="notBefore"/> (unless <paramref name="expires"/> is false),
    /// for <paramref name="email"/> (sub and email; left out when null), with an optional platform role and scopes.
    /// </summary>
    public static JsonObject Claims(string issuer, string audience, string? email, string? role = null, IEnumerable<string>? scopes = null,
        TimeSpan? lifetime = null, bool expires = true, TimeSpan notBefore = default)
    {
        var now = DateTimeOffset.UtcNow;
        var start = now + notBefore;
        // NotBefore must not be after the expiry, even for the deliberately expired tokens tests make.
        var end = start + (lifetime ?? TimeSpan.FromMinutes(10));
        var claims = new JsonObject
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = (end < start ? end : start).ToUnixTimeSeconds(),
            ["nbf"] = (end < start ? end : start).ToUnixTimeSeconds(),
        };
        if (expires) claims["exp"] = end.ToUnixTimeSeconds();
        if (email is not null)
        {
            claims[StsClaims.Subject] = email;
            claims[StsClaims.Email] = email;
        }
        if (role is not null) claims[StsClaims.Role] = role;
        var scope = string.Join(' ', scopes ?? []);
        if (scope.Length > 0) claims[StsClaims.Scope] = scope;
        return claims;
    }
}
