using System.Text.Json.Nodes;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>
/// Tokens as Keycloak and Microsoft Entra ID shape them, and the Auth:Claims settings README.md documents for each.
/// Only the claims that matter here and a few that commonly sit beside them; iss, aud and the times are added by the caller.
/// </summary>
public static class IssuerShapes
{
    public const string KeycloakServiceClient = "sts-platform-sync";
    public const string EntraServiceApp = "0f3c9d2e-8b1a-4c6d-9e7f-1a2b3c4d5e6f";
    public const string ServiceIdentity = "platform-sync@sts.example.com";

    /// <summary>Keycloak: realm roles under realm_access.roles, scopes in "scope", no email on service accounts.</summary>
    public static readonly Dictionary<string, string?> KeycloakSettings = new()
    {
        ["Auth:Claims:IdentityClaims:0"] = "email",
        ["Auth:Claims:RoleClaim"] = "realm_access.roles",
        ["Auth:Claims:AdminRole"] = "sts-admin",
        ["Auth:Claims:ScopeClaims:0"] = "scope",
        ["Auth:Claims:RoomsWriteScope"] = "rooms:write",
        ["Auth:Claims:ServicePrincipals:0:ClientId"] = KeycloakServiceClient,
        ["Auth:Claims:ServicePrincipals:0:Identity"] = ServiceIdentity,
    };

    /// <summary>Entra ID (v2 tokens): app roles in "roles" (for users and for apps), delegated scopes in "scp".</summary>
    public static readonly Dictionary<string, string?> EntraSettings = new()
    {
        ["Auth:Claims:IdentityClaims:0"] = "email",
        ["Auth:Claims:IdentityClaims:1"] = "preferred_username",
        ["Auth:Claims:RoleClaim"] = "roles",
        ["Auth:Claims:AdminRole"] = "Sts.Admin",
        ["Auth:Claims:ScopeClaims:0"] = "scp",
        ["Auth:Claims:ScopeClaims:1"] = "roles",
        ["Auth:Claims:RoomsWriteScope"] = "Rooms.Write",
        ["Auth:Claims:ServicePrincipals:0:ClientId"] = EntraServiceApp,
        ["Auth:Claims:ServicePrincipals:0:Identity"] = ServiceIdentity,
    };

    /// <summary>A person signed in through the sts-cli client, with realm roles and requested scopes.</summary>
    public static JsonObject KeycloakUser(string email, bool admin, string scope = "openid email profile") => new()
    {
        ["sub"] = "7c1d2f0e-4b3a-4e8f-9a61-2d5c3b1e0f9a",
        ["typ"] = "Bearer",
        ["azp"] = "sts-cli",
        ["realm_access"] = new JsonObject { ["roles"] = new JsonArray([.. (admin ? new[] { "offline_access", "sts-admin" } : ["offline_access"])]) },
        ["resource_access"] = new JsonObject { ["account"] = new JsonObject { ["roles"] = new JsonArray("manage-account") } },
        ["scope"] = scope,
        ["email_verified"] = true,
        ["preferred_username"] = email.Split('@')[0],
        ["email"] = email,
    };

    /// <summary>A client-credentials token of a confidential client's service account: no email.</summary>
    public static JsonObject KeycloakServiceAccount(string clientId = KeycloakServiceClient) => new()
    {
        ["sub"] = "2b9e6a41-0c7d-4f3e-8d21-6a5f4e3d2c1b",
        ["typ"] = "Bearer",
        ["azp"] = clientId,
        ["client_id"] = clientId,
        ["preferred_username"] = $"service-account-{clientId}",
        ["realm_access"] = new JsonObject { ["roles"] = new JsonArray("default-roles-sts") },
        ["scope"] = "rooms:write profile email",
    };

    /// <summary>A person signed in to a client app that asked for the API's delegated scopes.</summary>
    public static JsonObject EntraUser(string email, bool admin, string scp = "Snapshots.Read") => new()
    {
        ["ver"] = "2.0",
        ["tid"] = "9188040d-6c67-4c5b-b112-36a304b66dad",
        ["oid"] = "00000000-0000-0000-66f3-3332eca7ea81",
        ["sub"] = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        ["azp"] = "6731de76-14a6-49ae-97bc-6eba6914391e",
        ["azpacr"] = "0",
        ["name"] = "Ops Person",
        ["preferred_username"] = email,
        ["scp"] = scp,
        ["roles"] = new JsonArray([.. (admin ? new[] { "Sts.Admin" } : [])]),
    };

    /// <summary>An app-only (client credentials) token: app roles in "roles", no scp, no user.</summary>
    public static JsonObject EntraApp(string appId = EntraServiceApp, string role = "Rooms.Write") => new()
    {
        ["ver"] = "2.0",
        ["tid"] = "9188040d-6c67-4c5b-b112-36a304b66dad",
        ["oid"] = "5e2a1b0c-3d4f-4a6b-8c9d-0e1f2a3b4c5d",
        ["sub"] = "5e2a1b0c-3d4f-4a6b-8c9d-0e1f2a3b4c5d",
        ["azp"] = appId,
        ["azpacr"] = "1",
        ["roles"] = new JsonArray(role),
    };

    /// <summary>Adds issuer, audience and a ten-minute lifetime to an issuer-shaped payload.</summary>
    public static JsonObject Stamped(JsonObject payload, string issuer, string audience)
    {
        var now = DateTimeOffset.UtcNow;
        payload["iss"] = issuer;
        payload["aud"] = audience;
        payload["iat"] = now.ToUnixTimeSeconds();
        payload["nbf"] = now.ToUnixTimeSeconds();
        payload["exp"] = now.AddMinutes(10).ToUnixTimeSeconds();
        return payload;
    }
}
