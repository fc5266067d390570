using System.Text;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Tests.Fuzzing;

/// <summary>Who a generated request is sent as: a named identity and its client.</summary>
public sealed record FuzzCaller(string Name, ApiClient Client, string? Token);

/// <summary>
/// The callers the fuzzer mixes: the platform principal, a platform admin, the scene's parties, a stranger,
/// validly signed tokens whose identity is itself hostile, no token at all, and tokens that are not tokens (with the
/// forgeries the fixture's own kind of API must refuse, such as algorithm confusion against an OIDC issuer's keys).
/// </summary>
public sealed record FuzzCallers(
    FuzzCaller Platform, FuzzCaller Admin, IReadOnlyList<FuzzCaller> Parties, IReadOnlyList<FuzzCaller> HostileIdentities,
    FuzzCaller Anonymous, IReadOnlyList<FuzzCaller> Garbage)
{
    public static FuzzCallers Create(ApiFixture api, FuzzScene scene, int seed)
    {
        var h = new Hostile(seed);
        FuzzCaller Signed(string name, string email, string? role, params string[] scopes)
        {
            var token = api.Mint(email, role, scopes, TimeSpan.FromMinutes(30));
            return new FuzzCaller(name, api.WithToken(token), token);
        }
        FuzzCaller Raw(string name, string token) => new(name, api.WithToken(token), token);

        var parties = scene.PartyEmails.Select(e => Signed($"party {e}", e, null)).Append(Signed("stranger", "stranger@fuzz.test", null)).ToList();

        // Signed with the real key, so they authenticate: the identity itself is the attack.
        var hostile = new List<FuzzCaller>
        {
            Signed("identity with NUL, admin", "ops\0admin@fuzz.test", StsClaims.AdminRole),
            Signed("identity with NUL, party", "party1@fuzz.test\0", null),
            Signed("identity with bell, admin", "bell\a@fuzz.test", StsClaims.AdminRole),
            Signed("identity with RTL override, admin", "\u202eadmin@fuzz.test", StsClaims.AdminRole),
            Signed("identity with zero-width space, rooms:write", "party2@fuzz.test\u200b", null, StsClaims.RoomsWriteScope),
            Signed("identity in upper case of a party", "PARTY3@FUZZ.TEST", null),
            Signed("identity of SQL", "' OR 1=1 --", StsClaims.AdminRole),
            Signed("identity of a path", "../../etc/passwd", null, StsClaims.RoomsWriteScope),
            Signed("identity of emoji", "👍🏽@fuzz.test", null),
            Signed("identity of 3,000 characters, admin", new string('a', 3_000) + "@fuzz.test", StsClaims.AdminRole),
            Signed("identity of blanks", "   ", StsClaims.AdminRole),
            Signed("identity with lone surrogate, admin", "x\ud800@fuzz.test", StsClaims.AdminRole),
        };

        // Header values must be printable ASCII or the client refuses to send them; within that, anything goes.
        var otherKey = new TokenSettings { Issuer = api.Tokens.Issuer, Audience = api.Tokens.Audience, SigningKey = Convert.ToBase64String(h.Bytes(64)) };
        var garbage = new List<FuzzCaller>
        {
            Raw("garbage token", "garbage"),
            Raw("token of three empty parts", ".."),
            Raw("token a.b.c", "a.b.c"),
            Raw("random base64 token", h.RandomBase64(96)),
            Raw("token of 8,000 characters", h.RandomBase64(6_000)),
            Raw("token of SQL", "' OR 1=1 --"),
            Raw("blank token", "   "),
            Raw("token signed with another key", TokenMinter.Mint(otherKey, ApiFixture.AdminEmail, StsClaims.AdminRole, [], TimeSpan.FromMinutes(30))),
            Raw("expired admin token", api.Mint(ApiFixture.AdminEmail, StsClaims.AdminRole, [], TimeSpan.FromMinutes(-10))),
            Raw("unsigned admin token", UnsignedAdminToken(api.Tokens)),
        };
        garbage.AddRange(api.Forgeries(seed).Select(f => Raw(f.Name, f.Token)));

        return new FuzzCallers(
            Signed("platform", ApiFixture.PlatformEmail, null, StsClaims.RoomsWriteScope),
            Signed("admin", ApiFixture.AdminEmail, StsClaims.AdminRole),
            parties,
            hostile,
            new FuzzCaller("anonymous", api.WithToken(null), null),
            garbage);
    }

    /// <summary>The usual mix; writers are the platform principal more often.</summary>
    public FuzzCaller Pick(Hostile h, bool writer = false) => h.Rng.Next(100) switch
    {
        < 30 => writer ? Platform : Admin,
        < 45 => writer ? Admin : Platform,
        < 70 => h.Pick(Parties),
        < 82 => h.Pick(HostileIdentities),
        < 91 => Anonymous,
        _ => h.Pick(Garbage),
    };

    private static string UnsignedAdminToken(TokenSettings settings)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var expires = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds();
        return Part("""{"alg":"none","typ":"JWT"}""") + "." + Part(
            $$"""{"sub":"{{ApiFixture.AdminEmail}}","email":"{{ApiFixture.AdminEmail}}","role":"admin","iss":"{{settings.Issuer}}","aud":"{{settings.Audience}}","exp":{{expires}}}""") + ".";
    }
}
