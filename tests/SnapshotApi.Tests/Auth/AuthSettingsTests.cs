
namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>Identity settings that would leave a door open, or that contradict each other, stop the API at start-up with a message that says which.</summary>
[Collection(ApiCollection.Name)]
public sealed class AuthSettingsTests(ApiFixture api)
{
    private const string Authority = "https://keycloak.example.com/realms/sts";

    public static TheoryData<string, string> BadSettings => new()
    {
        { "development mode without a key", "Auth:SigningKey is required" },
        { "issuer together with the development key", "Remove Auth:SigningKey" },
        { "HS256 among the issuer's algorithms", "'HS256' is refused" },
        { "none among the issuer's algorithms", "'none' is refused" },
        { "issuer over plain http", "plain http" },
        { "discovery with a non-URL issuer", "is not a URL" },
        { "both discovery and a fixed key set", "both set" },
        { "a key set file that does not exist", "neither an http(s) URL nor an existing file" },
        { "a service principal without an email", "is not an email address" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_identity_settings_fail_at_start_up_with_a_clear_message(string settings, string message)
    {
        var overrides = settings switch
        {
            "development mode without a key" => new() { ["Auth:SigningKey"] = "" },
            "issuer together with the development key" => Discovery(),
            "HS256 among the issuer's algorithms" => Discovery(("Auth:SigningKey", ""), ("Auth:Algorithms:0", "RS256"), ("Auth:Algorithms:1", "HS256")),
            "none among the issuer's algorithms" => Discovery(("Auth:SigningKey", ""), ("Auth:Algorithms:0", "none")),
            "issuer over plain http" => Discovery(("Auth:SigningKey", ""), ("Auth:Authority", "http://keycloak.example.com/realms/sts")),
            "discovery with a non-URL issuer" => Discovery(("Auth:SigningKey", ""), ("Auth:Issuer", "sts-platform")),
            "both discovery and a fixed key set" => Discovery(("Auth:SigningKey", ""), ("Auth:Jwks", Authority + "/protocol/openid-connect/certs")),
            "a key set file that does not exist" => new Dictionary<string, string?> { ["Auth:SigningKey"] = "", ["Auth:Jwks"] = "/nonexistent/jwks.json" },
            "a service principal without an email" => new Dictionary<string, string?>
            {
                ["Auth:Claims:ServicePrincipals:0:ClientId"] = "sts-platform-sync",
                ["Auth:Claims:ServicePrincipals:0:Identity"] = "service-account-sts-platform-sync",
            },
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings, "No such case in this test."),
        };
        Assert.Contains(message, await api.StartupFailureAsync(overrides), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Discovery(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Auth:Authority"] = Authority, ["Auth:Issuer"] = Authority };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }
}
