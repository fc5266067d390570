using System.ComponentModel.DataAnnotations;
using Microsoft.IdentityModel.Tokens;

namespace Sts.Shared.Auth;

/// <summary>How bearer tokens are signed and checked; bound from the "Auth" configuration section.</summary>
public sealed class TokenSettings
{
    public const string Section = "Auth";

    [Required] public string Issuer { get; set; } = "sts-platform";

    [Required] public string Audience { get; set; } = "sts-snapshot-api";

    /// <summary>Base64 of at least 32 random bytes (HMAC-SHA256). Never committed: scripts/infra.sh generates a local one.</summary>
    [Required(ErrorMessage = "Auth:SigningKey is required: base64 of at least 32 random bytes (scripts/infra.sh writes one to .local/dev-signing-key).")]
    public string SigningKey { get; set; } = "";

    public SymmetricSecurityKey CreateKey()
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(SigningKey);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("Auth:SigningKey is not valid base64.");
        }
        if (bytes.Length < 32)
            throw new InvalidOperationException($"Auth:SigningKey decodes to {bytes.Length} bytes; HMAC-SHA256 needs at least 32.");
        return new SymmetricSecurityKey(bytes);
    }
}
