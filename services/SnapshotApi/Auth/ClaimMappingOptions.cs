namespace Sts.SnapshotApi.Auth;

/// <summary>
/// Which claims of the issuer's tokens say who calls and what they may do; bound from "Auth:Claims". The defaults
/// read the tokens this service has always read (email or sub, role "admin", scope "rooms:write"). A claim name
/// with dots that is not itself a claim is a path into a JSON claim, such as Keycloak's realm_access.roles.
/// List settings are empty by default and then mean the defaults named on each.
/// </summary>
public sealed class ClaimMappingOptions
{
    public static readonly string[] DefaultIdentityClaims = ["email", "sub"];
    public static readonly string[] DefaultScopeClaims = ["scope"];
    public static readonly string[] DefaultClientIdClaims = ["azp", "client_id", "appid"];

    /// <summary>Claims tried in order for who calls; the first present one counts. It must be an email (room parties are named by email). Default: email, sub.</summary>
    public string[] IdentityClaims { get; set; } = [];

    /// <summary>The claim holding platform roles (a string or a list).</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>The role in <see cref="RoleClaim"/> that makes a platform admin, who may act on every room.</summary>
    public string AdminRole { get; set; } = "admin";

    /// <summary>Claims holding granted scopes (space-separated strings or lists). Default: scope.</summary>
    public string[] ScopeClaims { get; set; } = [];

    /// <summary>The scope (or app role) that lets a service principal write rooms.</summary>
    public string RoomsWriteScope { get; set; } = "rooms:write";

    /// <summary>Claims naming the client a token was issued to, read only for <see cref="ServicePrincipals"/>. Default: azp, client_id, appid.</summary>
    public string[] ClientIdClaims { get; set; } = [];

    /// <summary>
    /// Clients that call on their own behalf (client-credentials tokens, which carry no email) and the identity
    /// each acts as. Used only when a token has none of the <see cref="IdentityClaims"/>.
    /// </summary>
    public List<ServicePrincipalOptions> ServicePrincipals { get; set; } = [];

    public IReadOnlyList<string> EffectiveIdentityClaims => IdentityClaims.Length > 0 ? IdentityClaims : DefaultIdentityClaims;

    public IReadOnlyList<string> EffectiveScopeClaims => ScopeClaims.Length > 0 ? ScopeClaims : DefaultScopeClaims;

    public IReadOnlyList<string> EffectiveClientIdClaims => ClientIdClaims.Length > 0 ? ClientIdClaims : DefaultClientIdClaims;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(RoleClaim)) yield return "Auth:Claims:RoleClaim is empty.";
        if (string.IsNullOrWhiteSpace(AdminRole)) yield return "Auth:Claims:AdminRole is empty.";
        if (string.IsNullOrWhiteSpace(RoomsWriteScope) || RoomsWriteScope.Contains(' ', StringComparison.Ordinal))
            yield return $"Auth:Claims:RoomsWriteScope '{RoomsWriteScope}' must be one scope without spaces.";
        foreach (var name in IdentityClaims.Concat(ScopeClaims).Concat(ClientIdClaims).Where(string.IsNullOrWhiteSpace))
            yield return $"Auth:Claims has an empty claim name ('{name}') in IdentityClaims, ScopeClaims or ClientIdClaims.";
        for (var i = 0; i < ServicePrincipals.Count; i++)
        {
            var principal = ServicePrincipals[i];
            if (string.IsNullOrWhiteSpace(principal.ClientId))
                yield return $"Auth:Claims:ServicePrincipals:{i}:ClientId is empty.";
            if (!Caller.IsPlausibleIdentity(principal.Identity))
                yield return $"Auth:Claims:ServicePrincipals:{i}:Identity '{principal.Identity}' is not an email address.";
        }
    }
}

/// <summary>A client that calls on its own behalf, and the identity (an email) it acts as.</summary>
public sealed class ServicePrincipalOptions
{
    public string ClientId { get; set; } = "";

    public string Identity { get; set; } = "";
}
