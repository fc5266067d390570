using Sts.Shared.Auth;

namespace Sts.Cli;

/// <summary>Who a dev token minted by the CLI speaks for.</summary>
public sealed record DevIdentity(string Email, string? Role, IReadOnlyList<string> Scopes)
{
    /// <summary>The default for API commands: a platform admin, who may act on every room.</summary>
    public static readonly DevIdentity Admin = new("admin@sts.local", StsClaims.AdminRole, []);

    /// <summary>The platform's service principal, which keeps rooms up to date.</summary>
    public static readonly DevIdentity Platform = new("platform@sts.local", null, [StsClaims.RoomsWriteScope]);

    /// <summary>A room party with no platform role or scope.</summary>
    public static DevIdentity Party(string email) => new(email, null, []);

    public string Mint(TokenSettings settings, TimeSpan lifetime) => TokenMinter.Mint(settings, Email, Role, Scopes, lifetime);

    public override string ToString()
    {
        var grants = new List<string>();
        if (Role is not null) grants.Add($"role {Role}");
        if (Scopes.Count > 0) grants.Add($"scope {string.Join(' ', Scopes)}");
        return grants.Count == 0 ? Email : $"{Email} ({string.Join(", ", grants)})";
    }
}
