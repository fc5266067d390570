using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>
/// Every credential that is missing, malformed, forged or out of date gets UNAUTHENTICATED with a readable
/// reason, and the refusal is audited as "anonymous". The hand-built tokens claim to be a platform admin,
/// so a token wrongly accepted would succeed instead of failing quietly for some other reason.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AuthenticationTests(ApiFixture api)
{
    private static readonly string[] Rpcs = ["GetRoom", "CreateSnapshot"];

    /// <summary>The Authorization header each case sends (null: none), and what the status message must say.</summary>
    private static readonly IReadOnlyDictionary<string, (Func<TokenSettings, string?> Header, string Reason)> Rejected =
        new Dictionary<string, (Func<TokenSettings, string?>, string)>
        {
            ["no token"] = (_ => null, "missing bearer token"),
            ["garbage token"] = (_ => "Bearer not-a-jwt", "invalid token"),
            ["token expired 10 minutes ago"] = (t => Bearer(MintAdmin(t, TimeSpan.FromMinutes(-10))), "expired"),
            ["token signed with another key"] = (t => Bearer(MintAdmin(
                new TokenSettings { Issuer = t.Issuer, Audience = t.Audience, SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)) },
                TimeSpan.FromMinutes(10))), "bad signature"),
            ["token from another issuer"] = (t => Bearer(MintAdmin(
                new TokenSettings { Issuer = "evil-platform", Audience = t.Audience, SigningKey = t.SigningKey },
                TimeSpan.FromMinutes(10))), "wrong issuer"),
            ["token for another audience"] = (t => Bearer(MintAdmin(
                new TokenSettings { Issuer = t.Issuer, Audience = "some-other-api", SigningKey = t.SigningKey },
                TimeSpan.FromMinutes(10))), "wrong audience"),
            ["unsigned token with alg none"] = (t => Bearer(Jwt("none", AdminClaims(t), sign: null)), "bad signature"),
            ["payload edited after signing"] = (t => Bearer(WithPayloadOf(
                TokenMinter.Mint(t, "mallory@sts.test", null, [], TimeSpan.FromMinutes(10)), Jwt("HS256", AdminClaims(t), sign: null))), "bad signature"),
            ["signature bytes tampered"] = (t => Bearer(TamperSignature(
                MintAdmin(t, TimeSpan.FromMinutes(10)))), "bad signature"),
            ["HS512 with the right key"] = (t => Bearer(Jwt("HS512", AdminClaims(t), data => HMACSHA512.HashData(Key(t), data))), "bad signature"),
            ["RS256 header over an HMAC signature"] = (t => Bearer(Jwt("RS256", AdminClaims(t), Hs256(t))), "bad signature"),
            ["token without an expiry"] = (t => Bearer(Jwt("HS256", AdminClaims(t, expires: false), Hs256(t))), "invalid token"),
            ["token not valid for another 10 minutes"] = (t => Bearer(Jwt("HS256", AdminClaims(t, notBefore: TimeSpan.FromMinutes(10)), Hs256(t))), "invalid token"),
            ["signed token that names nobody"] = (t => Bearer(Jwt("HS256", AdminClaims(t, email: null), Hs256(t))), "token names no user"),
            // No bearer token reached the service: saying the token "names no user" would send the caller looking in the wrong place.
            ["Bearer with an empty value"] = (_ => "Bearer ", "missing bearer token"),
            ["Basic scheme"] = (_ => "Basic xyz", "missing bearer token"),
        };

    public static TheoryData<string, string> RejectedCredentials
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var credential in Rejected.Keys)
                foreach (var rpc in Rpcs)
                    data.Add(credential, rpc);
            return data;
        }
    }

    public static TheoryData<string> AcceptedCredentials => new("minted by TokenMinter", "built by hand", "expired 10 s ago, within the 30 s clock skew");

    [Theory]
    [MemberData(nameof(RejectedCredentials))]
    public async Task Bad_credentials_are_unauthenticated_and_audited_as_anonymous(string credential, string rpc)
    {
        var (header, reason) = Rejected[credential];
        var room = await api.NewRoomAsync();
        var auditCount = await AuditCountAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(rpc, room, header(api.Tokens)));

        Assert.True(ex.StatusCode == StatusCode.Unauthenticated, $"Expected Unauthenticated, got {ex.StatusCode}: {ex.Status.Detail}");
        Assert.Contains(reason, ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(auditCount + 1, await AuditCountAsync());
        Assert.Equal($"anonymous {Action(rpc)} unauthenticated", await api.LastAuditAsync());
        Assert.Equal(0, await api.ScalarAsync<long>("select count(*) from snapshots where room_id = @p0", room));
    }

    [Theory]
    [MemberData(nameof(AcceptedCredentials))]
    public async Task Valid_token_is_accepted_and_audited_under_its_email(string credential)
    {
        var token = credential switch
        {
            "minted by TokenMinter" => MintAdmin(api.Tokens, TimeSpan.FromMinutes(10)),
            "built by hand" => Jwt("HS256", AdminClaims(api.Tokens), Hs256(api.Tokens)),
            "expired 10 s ago, within the 30 s clock skew" => MintAdmin(api.Tokens, TimeSpan.FromSeconds(-10)),
            _ => throw new ArgumentOutOfRangeException(nameof(credential), credential, "No such credential in this test."),
        };
        var room = await api.NewRoomAsync();

        foreach (var rpc in Rpcs)
        {
            await CallAsync(rpc, room, Bearer(token));
            Assert.Equal($"{ApiFixture.AdminEmail} {Action(rpc)} ok", await api.LastAuditAsync());
        }
        Assert.Equal(1, await api.ScalarAsync<long>("select count(*) from snapshots where room_id = @p0", room));
    }

    private Task CallAsync(string rpc, string roomId, string? authorization)
    {
        var client = api.WithToken(null);
        var headers = authorization is null ? null : new Metadata { { "authorization", authorization } };
        return rpc switch
        {
            "GetRoom" => client.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = roomId }, headers).ResponseAsync,
            "CreateSnapshot" => client.Snapshots.CreateSnapshotAsync(
                new CreateSnapshotRequest { RoomId = roomId, Title = "Auth probe", Type = SnapshotType.Pdf }, headers).ResponseAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(rpc), rpc, "No such RPC in this test."),
        };
    }

    private static string Action(string rpc) => rpc == "GetRoom" ? "RoomService.GetRoom" : "SnapshotService.CreateSnapshot";

    private async Task<long> AuditCountAsync() => await api.ScalarAsync<long>("select count(*) from audit_log");

    private static string Bearer(string token) => $"Bearer {token}";

    private static byte[] Key(TokenSettings t) => Convert.FromBase64String(t.SigningKey);

    private static Func<byte[], byte[]> Hs256(TokenSettings t) => data => HMACSHA256.HashData(Key(t), data);

    /// <summary>A platform admin token from <see cref="TokenMinter"/>; other settings make it a forgery.</summary>
    private static string MintAdmin(TokenSettings t, TimeSpan lifetime) => TokenMinter.Mint(t, ApiFixture.AdminEmail, StsClaims.AdminRole, [], lifetime);

    /// <summary>Claims of a platform admin token, valid for ten minutes; a null email leaves out who it is.</summary>
    private static JsonObject AdminClaims(TokenSettings t, string? email = ApiFixture.AdminEmail, bool expires = true, TimeSpan notBefore = default) =>
        HandMadeJwt.Claims(t.Issuer, t.Audience, email, StsClaims.AdminRole, expires: expires, notBefore: notBefore);

    private static string Jwt(string alg, JsonObject claims, Func<byte[], byte[]>? sign) => HandMadeJwt.Build(alg, claims, sign);

    /// <summary>Keeps <paramref name="signed"/>'s header and signature but swaps in the payload of <paramref name="other"/>.</summary>
    private static string WithPayloadOf(string signed, string other)
    {
        var parts = signed.Split('.');
        parts[1] = other.Split('.')[1];
        return string.Join('.', parts);
    }

    /// <summary>Changes the first signature character, which carries the top bits of the first byte (the last one may only hold padding bits).</summary>
    private static string TamperSignature(string token)
    {
        var dot = token.LastIndexOf('.');
        var flipped = token[dot + 1] == 'A' ? 'B' : 'A';
        return string.Concat(token.AsSpan(0, dot + 1), flipped.ToString(), token.AsSpan(dot + 2));
    }
}
