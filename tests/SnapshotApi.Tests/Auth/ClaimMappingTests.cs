using System.Security.Claims;
using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Sts.Api.V1;
using Sts.SnapshotApi.Auth;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>
/// Keycloak- and Entra-shaped tokens become the caller the permission matrix already knows: who (an email), whether a
/// platform admin, whether allowed to write rooms. The unit tests read the claims the way the token handler does;
/// the last test sends such tokens through a real replica.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ClaimMappingTests(ApiFixture api)
{
    private const string Person = "ops@sts.example.com";

    public static TheoryData<string, string, string?, bool, bool> Tokens => new()
    {
        // issuer shape, token, expected identity, platform admin, rooms:write
        { "keycloak", "user", Person, false, false },
        { "keycloak", "admin user", Person, true, false },
        { "keycloak", "user granted rooms:write", Person, false, true },
        { "keycloak", "service account", IssuerShapes.ServiceIdentity, false, true },
        { "keycloak", "service account of an unknown client", null, false, true },
        { "entra", "user", Person, false, false },
        { "entra", "admin user", Person, true, false },
        { "entra", "user with the Rooms.Write scope", Person, false, true },
        { "entra", "app", IssuerShapes.ServiceIdentity, false, true },
        { "entra", "app of an unknown client", null, false, true },
        { "entra", "app with another role", IssuerShapes.ServiceIdentity, false, false },
        { "default", "user with literal role admin and scope rooms:write", Person, true, true },
        { "keycloak", "user with literal role admin and scope sts:anything", Person, false, false },
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public void Issuer_shaped_tokens_map_to_the_caller_the_matrix_knows(string shape, string token, string? identity, bool admin, bool roomsWrite)
    {
        var mapping = new ClaimMapping(Options(shape).Claims);
        var caller = Caller.From(mapping.ToCanonical(Principal(Payload(shape, token))));

        Assert.Equal(identity, caller?.Email);
        if (caller is null) return;
        Assert.Equal(admin, caller.IsPlatformAdmin);
        Assert.Equal(roomsWrite, caller.HasScope(Sts.Shared.Auth.StsClaims.RoomsWriteScope));
    }

    [Fact]
    public void Dotted_names_read_into_json_claims_but_a_claim_with_dots_in_its_name_wins()
    {
        var principal = Principal(new JsonObject
        {
            ["resource_access"] = new JsonObject { ["sts-snapshot-api"] = new JsonObject { ["roles"] = new JsonArray("sts-admin", "viewer") } },
            ["https://sts.example.com/roles"] = new JsonArray("auditor"),
        });

        Assert.Equal(["sts-admin", "viewer"], ClaimMapping.Values(principal, "resource_access.sts-snapshot-api.roles"));
        Assert.Equal(["auditor"], ClaimMapping.Values(principal, "https://sts.example.com/roles"));
        Assert.Empty(ClaimMapping.Values(principal, "resource_access.other.roles"));
        Assert.Empty(ClaimMapping.Values(principal, "realm_access.roles"));
    }

    [Fact]
    public async Task Keycloak_shaped_tokens_get_what_the_matrix_gives_over_a_real_replica()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer, IssuerShapes.KeycloakSettings);
        var room = TestRooms.WithEveryRole();
        var owner = TestRooms.Email(room.Id, PartyRole.Owner);
        string Token(JsonObject payload) => TestIssuer.Sign(issuer.Key("RS256"), IssuerShapes.Stamped(payload, issuer.Url, TestIssuer.Audience));

        // The service account writes the room: no email, identified by its client id, allowed by its scope.
        var service = replica.With(Token(IssuerShapes.KeycloakServiceAccount()));
        await service.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        Assert.Equal($"{IssuerShapes.ServiceIdentity} RoomService.UpsertRoom ok", await api.LastAuditAsync());

        // A party by email may read the room but not its audit trail; a realm admin may; a stranger learns nothing.
        await replica.With(Token(IssuerShapes.KeycloakUser(owner, admin: false))).Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id });
        var denied = await Assert.ThrowsAsync<RpcException>(() => replica.With(Token(IssuerShapes.KeycloakUser(owner, admin: false)))
            .Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = room.Id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        await replica.With(Token(IssuerShapes.KeycloakUser(Person, admin: true))).Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = room.Id });
        var stranger = await Assert.ThrowsAsync<RpcException>(() => replica.With(Token(IssuerShapes.KeycloakUser(Person, admin: false)))
            .Rooms.GetRoomAsync(new GetRoomRequest { RoomId = room.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, stranger.StatusCode);
        // A service account of a client that no ServicePrincipals entry names has no identity, whatever its scope.
        var unknownClient = await Assert.ThrowsAsync<RpcException>(() => replica.With(Token(IssuerShapes.KeycloakServiceAccount("some-other-client")))
            .Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unknownClient.StatusCode);
        Assert.Contains("token names no user", unknownClient.Status.Detail, StringComparison.Ordinal);
    }

    private static AuthOptions Options(string shape)
    {
        var settings = shape switch
        {
            "keycloak" => IssuerShapes.KeycloakSettings,
            "entra" => IssuerShapes.EntraSettings,
            _ => [],
        };
        var options = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        Assert.Empty(options.Claims.Validate());
        return options;
    }

    private static JsonObject Payload(string shape, string token) => (shape, token) switch
    {
        ("keycloak", "user") => IssuerShapes.KeycloakUser(Person, admin: false),
        ("keycloak", "admin user") => IssuerShapes.KeycloakUser(Person, admin: true),
        ("keycloak", "user granted rooms:write") => IssuerShapes.KeycloakUser(Person, admin: false, scope: "openid email rooms:write"),
        ("keycloak", "service account") => IssuerShapes.KeycloakServiceAccount(),
        ("keycloak", "service account of an unknown client") => IssuerShapes.KeycloakServiceAccount("some-other-client"),
        ("entra", "user") => IssuerShapes.EntraUser(Person, admin: false),
        ("entra", "admin user") => IssuerShapes.EntraUser(Person, admin: true),
        ("entra", "user with the Rooms.Write scope") => IssuerShapes.EntraUser(Person, admin: false, scp: "Snapshots.Read Rooms.Write"),
        ("entra", "app") => IssuerShapes.EntraApp(),
        ("entra", "app of an unknown client") => IssuerShapes.EntraApp("ffffffff-0000-0000-0000-000000000000"),
        ("entra", "app with another role") => IssuerShapes.EntraApp(role: "Snapshots.Read"),
        ("default" or "keycloak", _) => new JsonObject
        {
            ["sub"] = Person,
            ["email"] = Person,
            ["role"] = "admin",
            ["scope"] = token.EndsWith("rooms:write", StringComparison.Ordinal) ? "rooms:write" : "sts:anything",
        },
        _ => throw new ArgumentOutOfRangeException(nameof(token), token, "No such token in this test."),
    };

    /// <summary>The claims as the JWT handler gives them to authentication (inbound claim types not mapped).</summary>
    private static ClaimsPrincipal Principal(JsonObject payload) =>
        new(new ClaimsIdentity(new JsonWebToken(HandMadeJwt.Build("none", payload, sign: null)).Claims, "Bearer"));

}
