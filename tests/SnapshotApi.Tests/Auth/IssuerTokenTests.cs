using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Sts.Shared.Auth;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>
/// The API in OIDC mode against a real discovery document and JWKS served on loopback (<see cref="TestIssuer"/>):
/// each algorithm, key rotation, forged key ids, algorithm confusion, out-of-date tokens, and an issuer that is down.
/// Every test starts its own replica, because the key cache and its rate limit are what is being tested.
/// The tokens claim a platform admin, so a token wrongly accepted would succeed rather than fail for another reason.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class IssuerTokenTests(ApiFixture api)
{
    private static readonly string Admin = ApiFixture.AdminEmail;

    public static TheoryData<string> Algorithms => new("RS256", "PS256", "ES256");

    /// <summary>How each refused token is made from the issuer (and the fixture's development key), and what the status must say.</summary>
    private static readonly IReadOnlyDictionary<string, (Func<TestIssuer, TokenSettings, string> Make, string Reason)> Refused =
        new Dictionary<string, (Func<TestIssuer, TokenSettings, string>, string)>
        {
            ["HS256 signed with the issuer's RSA public key, under its kid"] = ((i, _) => HandMadeJwt.Build("HS256", AdminClaims(i),
                data => HMACSHA256.HashData(Encoding.ASCII.GetBytes(i.Key("RS256").PublicKeyPem), data), i.Key("RS256").KeyId), "algorithm not allowed"),
            ["HS256 signed with the issuer's EC public key, no kid"] = ((i, _) => HandMadeJwt.Build("HS256", AdminClaims(i),
                data => HMACSHA256.HashData(Encoding.ASCII.GetBytes(i.Key("ES256").PublicKeyPem), data)), "algorithm not allowed"),
            ["unsigned, alg none"] = ((i, _) => HandMadeJwt.Build("none", AdminClaims(i), sign: null), "algorithm not allowed"),
            ["unsigned, alg NONE under a real kid"] = ((i, _) => HandMadeJwt.Build("NONE", AdminClaims(i), sign: null, i.Key("RS256").KeyId), "algorithm not allowed"),
            ["RS256 with no signature"] = ((i, _) => HandMadeJwt.Build("RS256", AdminClaims(i), sign: null, i.Key("RS256").KeyId), "bad signature"),
            ["signed with the development key"] = ((_, dev) => TokenMinter.Mint(dev, Admin, StsClaims.AdminRole, [], TimeSpan.FromMinutes(10)), "algorithm not allowed"),
            ["expired 10 minutes ago"] = ((i, _) => i.Mint(i.Key("RS256"), Admin, StsClaims.AdminRole, lifetime: TimeSpan.FromMinutes(-10)), "token expired"),
            ["for another audience"] = ((i, _) => TestIssuer.Sign(i.Key("ES256"), HandMadeJwt.Claims(i.Url, "some-other-api", Admin, StsClaims.AdminRole)), "wrong audience"),
            ["from another issuer, with this issuer's key"] = ((i, _) => TestIssuer.Sign(i.Key("PS256"),
                HandMadeJwt.Claims("http://127.0.0.1:1/realms/evil", TestIssuer.Audience, Admin, StsClaims.AdminRole)), "wrong issuer"),
            ["the issuer's kid over another key's signature"] = ((i, _) => Forge(TestKey.Create("RS256"), i.Key("RS256").KeyId, AdminClaims(i)), "bad signature"),
            ["the ES256 kid over another P-256 key's signature"] = ((i, _) => Forge(TestKey.Create("ES256"), i.Key("ES256").KeyId, AdminClaims(i)), "bad signature"),
            ["no kid, signed by a key the issuer never published"] = ((i, _) => HandMadeJwt.Build("RS256", AdminClaims(i), TestKey.Create("RS256").Sign), "unknown signing key"),
            ["PS256 with the key published for RS256"] = ((i, _) => HandMadeJwt.Build("PS256", AdminClaims(i),
                data => ((RSA)i.Key("RS256").Key).SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss), i.Key("RS256").KeyId), "unknown signing key"),
        };

    public static TheoryData<string> RefusedTokens => new(Refused.Keys);

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Tokens_of_each_algorithm_are_accepted(string algorithm)
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer);
        var room = await api.NewRoomAsync();

        Assert.Equal((StatusCode.OK, ""), await replica.GetRoomAsync(issuer.Mint(issuer.Key(algorithm), Admin, StsClaims.AdminRole), room));

        Assert.Equal($"{Admin} RoomService.GetRoom ok", await api.LastAuditAsync());
    }

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Forged_confused_and_out_of_date_tokens_are_refused_and_audited(string token)
    {
        var (make, reason) = Refused[token];
        await using var issuer = await TestIssuer.StartAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer);
        await replica.WaitUntilReadyAsync();
        var room = await api.NewRoomAsync();

        var (code, detail) = await replica.GetRoomAsync(make(issuer, api.Tokens), room);

        Assert.True(code == StatusCode.Unauthenticated, $"Expected Unauthenticated, got {code}: {detail}");
        Assert.Contains(reason, detail, StringComparison.Ordinal);
        Assert.Equal("anonymous RoomService.GetRoom unauthenticated", await api.LastAuditAsync());
    }

    [Fact]
    public async Task A_rotated_key_is_used_from_its_first_token_with_one_fetch_and_the_old_key_stops_working()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer);
        await replica.WaitUntilReadyAsync();
        var room = await api.NewRoomAsync();
        var beforeRotation = issuer.Mint(issuer.Key("RS256"), Admin, StsClaims.AdminRole);
        Assert.Equal(StatusCode.OK, (await replica.GetRoomAsync(beforeRotation, room)).Code);
        var fetches = issuer.JwksFetches;

        // Both an RSA and an EC key rotate: one fetch, on the first token that names a new kid, brings in both.
        var rsa = issuer.Rotate("RS256");
        var ec = issuer.Rotate("ES256");

        Assert.Equal((StatusCode.OK, ""), await replica.GetRoomAsync(issuer.Mint(rsa, Admin, StsClaims.AdminRole), room));
        Assert.Equal(fetches + 1, issuer.JwksFetches);
        Assert.Equal((StatusCode.OK, ""), await replica.GetRoomAsync(issuer.Mint(ec, Admin, StsClaims.AdminRole), room));
        Assert.Equal(fetches + 1, issuer.JwksFetches);
        // The withdrawn key went with that fetch; its kid is now unknown, and within the rate limit it fetches nothing.
        var (code, detail) = await replica.GetRoomAsync(beforeRotation, room);
        Assert.Equal(StatusCode.Unauthenticated, code);
        Assert.Contains("unknown signing key", detail, StringComparison.Ordinal);
        Assert.Equal(fetches + 1, issuer.JwksFetches);
        Assert.Matches("""sts_auth_key_fetches_total\{[^}]*outcome="ok"[^}]*reason="unknown_key"[^}]*\} 1\b""", await replica.MetricsAsync());
    }

    [Fact]
    public async Task Forged_key_ids_do_not_cause_a_storm_of_fetches_and_a_real_rotation_is_picked_up_after_the_interval()
    {
        var minInterval = TimeSpan.FromSeconds(3);
        await using var issuer = await TestIssuer.StartAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer, new Dictionary<string, string?> { ["Auth:KeyRefreshMinInterval"] = "00:00:03" });
        await replica.WaitUntilReadyAsync();
        var room = await api.NewRoomAsync();
        var fetches = issuer.JwksFetches;
        var attacker = TestKey.Create("RS256");

        var clock = Stopwatch.StartNew();
        var outcomes = new List<(StatusCode, string)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var outcome = await replica.GetRoomAsync(Forge(attacker, $"forged-{i}", AdminClaims(issuer)), room);
            lock (outcomes) outcomes.Add(outcome);
        });
        var elapsed = clock.Elapsed;

        Assert.All(outcomes, o => Assert.Equal((StatusCode.Unauthenticated, "Authentication failed: unknown signing key."), o));
        var fetched = issuer.JwksFetches - fetches;
        var allowed = 1 + (int)(elapsed / minInterval);
        Assert.True(fetched >= 1 && fetched <= allowed,
            $"300 forged key ids in {elapsed.TotalSeconds:F1} s made {fetched} JWKS fetches; the limit allows 1 per {minInterval.TotalSeconds} s, so at most {allowed}.");

        // A genuine rotation right after the storm waits for the interval, then works; polling it fetches within the limit too.
        var rotated = issuer.Rotate("RS256");
        var token = issuer.Mint(rotated, Admin, StsClaims.AdminRole);
        clock.Restart();
        fetches = issuer.JwksFetches;
        await SnapshotWaiting.EventuallyAsync(async () => (await replica.GetRoomAsync(token, room)).Code == StatusCode.OK,
            TimeSpan.FromSeconds(20), "the rotated key to be accepted");
        Assert.True(issuer.JwksFetches - fetches <= 1 + (int)(clock.Elapsed / minInterval),
            $"{issuer.JwksFetches - fetches} fetches in {clock.Elapsed.TotalSeconds:F1} s while polling with the rotated key.");
    }

    [Fact]
    public async Task An_issuer_that_is_down_at_start_up_leaves_the_replica_running_unready_and_closed_until_it_returns()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await issuer.StopAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer);
        var room = await api.NewRoomAsync();

        Assert.Equal(ServingStatus.NotServing, await replica.HealthAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await replica.ReadyzAsync());
        var valid = issuer.Mint(issuer.Key("ES256"), Admin, StsClaims.AdminRole);
        var (code, detail) = await replica.GetRoomAsync(valid, room);
        Assert.True(code == StatusCode.Unavailable, $"Expected Unavailable, got {code}: {detail}");
        Assert.Contains("signing keys are not available", detail, StringComparison.Ordinal);
        Assert.Equal("anonymous RoomService.GetRoom unavailable", await api.LastAuditAsync());
        var dev = TokenMinter.Mint(api.Tokens, Admin, StsClaims.AdminRole, [], TimeSpan.FromMinutes(10));
        Assert.Equal(StatusCode.Unauthenticated, (await replica.GetRoomAsync(dev, room)).Code);

        await issuer.StartAgainAsync();

        await replica.WaitUntilReadyAsync();
        Assert.Equal(HttpStatusCode.OK, await replica.ReadyzAsync());
        Assert.Equal((StatusCode.OK, ""), await replica.GetRoomAsync(valid, room));
        Assert.Equal(StatusCode.Unauthenticated, (await replica.GetRoomAsync(dev, room)).Code);
    }

    [Fact]
    public async Task A_discovery_document_that_names_another_issuer_is_not_trusted()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer, new Dictionary<string, string?> { ["Auth:Issuer"] = issuer.Url + "-other" });
        var room = await api.NewRoomAsync();

        var (code, detail) = await replica.GetRoomAsync(TestIssuer.Sign(issuer.Key("RS256"),
            HandMadeJwt.Claims(issuer.Url + "-other", TestIssuer.Audience, Admin, StsClaims.AdminRole)), room);

        Assert.True(code == StatusCode.Unavailable, $"Expected Unavailable, got {code}: {detail}");
        Assert.Equal(ServingStatus.NotServing, await replica.HealthAsync());
    }

    [Fact]
    public async Task A_static_jwks_file_replaces_discovery_and_is_read_again_for_a_new_kid()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await issuer.StopAsync(); // not needed: the keys come from the file alone
        var file = Path.Combine(Path.GetTempPath(), $"sts-jwks-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, Jwks(issuer));
            await using var replica = await IssuerReplica.StartAsync(api, issuer, new Dictionary<string, string?> { ["Auth:Authority"] = "", ["Auth:Jwks"] = file });
            var room = await api.NewRoomAsync();
            Assert.Equal((StatusCode.OK, ""), await replica.GetRoomAsync(issuer.Mint(issuer.Key("PS256"), Admin, StsClaims.AdminRole), room));

            var rotated = issuer.Rotate("ES256");
            await File.WriteAllTextAsync(file, Jwks(issuer));

            Assert.Equal((StatusCode.OK, ""), await replica.GetRoomAsync(issuer.Mint(rotated, Admin, StsClaims.AdminRole), room));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_static_jwks_url_replaces_discovery()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var replica = await IssuerReplica.StartAsync(api, issuer, new Dictionary<string, string?> { ["Auth:Authority"] = "", ["Auth:Jwks"] = issuer.JwksUrl });
        var room = await api.NewRoomAsync();

        Assert.Equal((StatusCode.OK, ""), await replica.GetRoomAsync(issuer.Mint(issuer.Key("RS256"), Admin, StsClaims.AdminRole), room));
        Assert.True(issuer.JwksFetches >= 1);
    }

    private static JsonObject AdminClaims(TestIssuer issuer) => HandMadeJwt.Claims(issuer.Url, TestIssuer.Audience, Admin, StsClaims.AdminRole);

    /// <summary>Claims signed with <paramref name="key"/> but labelled with another kid.</summary>
    private static string Forge(TestKey key, string keyId, JsonObject claims) => HandMadeJwt.Build(key.Algorithm, claims, key.Sign, keyId);

    private static string Jwks(TestIssuer issuer) => new JsonObject { ["keys"] = new JsonArray([.. issuer.Published.Select(k => (JsonNode)k.Jwk())]) }.ToJsonString();

}
