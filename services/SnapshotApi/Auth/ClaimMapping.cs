using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Auth;

/// <summary>
/// Turns a validated token's claims, shaped however its issuer shapes them, into the few this service reads:
/// email (who), role "admin" (platform admin) and scope "rooms:write". Everything after authentication, the
/// permission matrix included, sees only these, so it is the same whichever issuer signed the token.
/// </summary>
public sealed class ClaimMapping(ClaimMappingOptions options)
{
    public ClaimsPrincipal ToCanonical(ClaimsPrincipal token)
    {
        var claims = new List<Claim>();
        if (IdentityOf(token) is { } identity) claims.Add(new Claim(StsClaims.Email, identity));
        if (Values(token, options.RoleClaim).Contains(options.AdminRole, StringComparer.Ordinal))
            claims.Add(new Claim(StsClaims.Role, StsClaims.AdminRole));
        var scopes = options.EffectiveScopeClaims.SelectMany(c => Values(token, c))
            .SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (scopes.Contains(options.RoomsWriteScope, StringComparer.Ordinal))
            claims.Add(new Claim(StsClaims.Scope, StsClaims.RoomsWriteScope));
        var authenticationType = token.Identity?.AuthenticationType ?? "Bearer";
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, StsClaims.Email, StsClaims.Role));
    }

    /// <summary>The first identity claim present; failing that, the identity configured for the token's client.</summary>
    private string? IdentityOf(ClaimsPrincipal token)
    {
        foreach (var claim in options.EffectiveIdentityClaims)
        {
            if (Values(token, claim).FirstOrDefault() is { } value) return value;
        }
        if (options.ServicePrincipals.Count == 0) return null;
        var clientId = options.EffectiveClientIdClaims.Select(c => Values(token, c).FirstOrDefault()).FirstOrDefault(v => v is not null);
        return options.ServicePrincipals.FirstOrDefault(p => string.Equals(p.ClientId, clientId, StringComparison.Ordinal))?.Identity;
    }

    /// <summary>
    /// The string values of a claim: each value of a repeated claim, each element of a JSON array. A name that is
    /// not a claim but has dots is a path into a JSON claim: "realm_access.roles" reads {"realm_access": {"roles": [...]}}.
    /// </summary>
    internal static IEnumerable<string> Values(ClaimsPrincipal token, string path)
    {
        var direct = token.FindAll(path).ToList();
        if (direct.Count > 0) return direct.SelectMany(c => IsJson(c) ? Strings(Parse(c.Value)) : [c.Value]);
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return [];
        var rest = path[(dot + 1)..].Split('.');
        return token.FindAll(path[..dot]).Where(IsJson).SelectMany(c => Strings(Walk(Parse(c.Value), rest)));
    }

    private static bool IsJson(Claim claim) => claim.ValueType is JsonClaimValueTypes.Json or JsonClaimValueTypes.JsonArray;

    private static JsonElement? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? Walk(JsonElement? element, string[] path)
    {
        foreach (var name in path)
        {
            if (element is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(name, out var child)) return null;
            element = child;
        }
        return element;
    }

    private static List<string> Strings(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.String } s => [s.GetString()!],
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
        _ => [],
    };
}
