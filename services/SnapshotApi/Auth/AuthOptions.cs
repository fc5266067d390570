using System.ComponentModel.DataAnnotations;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Auth;

/// <summary>Where the keys that sign callers' tokens come from.</summary>
public enum AuthMode
{
    /// <summary>HS256 with a shared key (Auth:SigningKey): laptops, scripts/run.sh, the chaos run.</summary>
    Development,

    /// <summary>The platform's OpenID Connect issuer: discovery document at Auth:Authority, then its JWKS.</summary>
    Discovery,

    /// <summary>A JWKS at a fixed URL or in a file (Auth:Jwks), for clusters without discovery.</summary>
    StaticJwks,
}

/// <summary>How callers' bearer tokens are checked; bound from the "Auth" configuration section.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>What an asymmetric mode accepts when Auth:Algorithms is empty.</summary>
    public static readonly string[] DefaultAlgorithms = ["RS256", "PS256", "ES256"];

    /// <summary>Everything Auth:Algorithms may name: public-key signatures only. HS* and "none" never.</summary>
    public static readonly string[] AsymmetricAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>The expected "iss". With Auth:Authority, the issuer's URL exactly as its discovery document states it.</summary>
    [Required] public string Issuer { get; set; } = "sts-platform";

    /// <summary>The expected "aud": this API, as the issuer names it.</summary>
    [Required] public string Audience { get; set; } = "sts-snapshot-api";

    /// <summary>Development mode only: base64 of at least 32 random bytes (HMAC-SHA256).</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>The OpenID Connect issuer's base URL; {Authority}/.well-known/openid-configuration names its JWKS.</summary>
    public string Authority { get; set; } = "";

    /// <summary>Instead of discovery: the JWKS's URL, or the path of a file holding it.</summary>
    public string Jwks { get; set; } = "";

    /// <summary>Refuse http:// for discovery and JWKS. Turn off only for an issuer on loopback (tests).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Algorithms accepted from the issuer; empty means <see cref="DefaultAlgorithms"/>.</summary>
    public string[] Algorithms { get; set; } = [];

    /// <summary>How often the keys are fetched again while all is well.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// At most one fetch per this interval is triggered by tokens naming a key we do not know, so that forged
    /// key ids cannot make us hammer the issuer. It also caps the retry interval while the issuer is down.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeyRefreshMinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Which claims of the issuer's tokens say who calls and what they may do.</summary>
    public ClaimMappingOptions Claims { get; set; } = new();

    public AuthMode Mode =>
        !string.IsNullOrWhiteSpace(Authority) ? AuthMode.Discovery
        : !string.IsNullOrWhiteSpace(Jwks) ? AuthMode.StaticJwks
        : AuthMode.Development;

    public IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Length > 0 ? Algorithms : DefaultAlgorithms;

    /// <summary>The development key as a token settings object (the same shape the CLI and tests mint with).</summary>
    public TokenSettings DevelopmentTokens => new() { Issuer = Issuer, Audience = Audience, SigningKey = SigningKey };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(Jwks))
            errors.Add("Auth:Authority and Auth:Jwks are both set; set one (Authority for discovery, Jwks for a fixed key set).");
        if (Mode == AuthMode.Development)
            ValidateDevelopment(errors);
        else
            ValidateAsymmetric(errors);
        errors.AddRange(Claims.Validate());
        return errors.Select(e => new ValidationResult(e));
    }

    private void ValidateDevelopment(List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            errors.Add("Auth:SigningKey is required in development mode: base64 of at least 32 random bytes (scripts/infra.sh writes one to "
                + ".local/dev-signing-key). For the platform's issuer set Auth:Authority instead (README, 'Production identity').");
            return;
        }
        try
        {
            DevelopmentTokens.CreateKey();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(ex.Message);
        }
    }

    private void ValidateAsymmetric(List<string> errors)
    {
        var setting = Mode == AuthMode.Discovery ? "Auth:Authority" : "Auth:Jwks";
        if (!string.IsNullOrWhiteSpace(SigningKey))
            errors.Add($"Auth:SigningKey is set, but {setting} selects the issuer's public keys, and HS256 tokens are refused in that mode. "
                + "Remove Auth:SigningKey so that nobody believes the development key still works.");
        if (Mode == AuthMode.Discovery)
        {
            CheckUrl(Authority, "Auth:Authority", errors);
            if (!Uri.TryCreate(Issuer, UriKind.Absolute, out _))
                errors.Add($"Auth:Issuer '{Issuer}' is not a URL. With Auth:Authority it must be the issuer's URL exactly as its discovery "
                    + "document states it (usually Auth:Authority itself, e.g. https://keycloak.example.com/realms/sts).");
        }
        else if (IsUrl(Jwks))
        {
            CheckUrl(Jwks, "Auth:Jwks", errors);
        }
        else if (!File.Exists(Jwks))
        {
            errors.Add($"Auth:Jwks '{Jwks}' is neither an http(s) URL nor an existing file.");
        }
        foreach (var algorithm in EffectiveAlgorithms.Where(a => !AsymmetricAlgorithms.Contains(a, StringComparer.Ordinal)))
            errors.Add($"Auth:Algorithms may name only {string.Join(", ", AsymmetricAlgorithms)}; '{algorithm}' is refused: "
                + "an HMAC or unsigned token could be made by anyone who has the issuer's public key.");
    }

    private static bool IsUrl(string value) =>
        value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    private void CheckUrl(string value, string setting, List<string> errors)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            errors.Add($"{setting} '{value}' is not an http(s) URL.");
        else if (uri.Scheme == "http" && RequireHttpsMetadata)
            errors.Add($"{setting} '{value}' is plain http; keys must come over https (set Auth:RequireHttpsMetadata=false only for an issuer on loopback).");
    }
}
