namespace Sts.Shared.Auth;

/// <summary>The claims this system puts in and reads from bearer tokens.</summary>
public static class StsClaims
{
    public const string Subject = "sub";
    public const string Email = "email";
    /// <summary>Platform role; "admin" may act on every room.</summary>
    public const string Role = "role";
    /// <summary>Space-separated scopes, as in OAuth 2.0.</summary>
    public const string Scope = "scope";

    public const string AdminRole = "admin";
    public const string RoomsWriteScope = "rooms:write";
}
