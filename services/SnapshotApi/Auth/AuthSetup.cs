using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Auth;

/// <summary>JWT bearer authentication. Rejection happens in the RPC pipeline, so that every denial is audited.</summary>
public static class AuthSetup
{
    /// <summary>HttpContext.Items key under which a readable reason for a rejected token is kept.</summary>
    public const string FailureItem = "sts.auth.failure";

    public static IServiceCollection AddStsAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(TokenSettings.Section).Get<TokenSettings>() ?? new TokenSettings();
        if (string.IsNullOrWhiteSpace(settings.SigningKey))
            throw new InvalidOperationException("Auth:SigningKey is required: base64 of at least 32 random bytes (scripts/infra.sh writes one to .local/dev-signing-key).");
        var key = settings.CreateKey(); // fails fast on a malformed key

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.Issuer,
                ValidAudience = settings.Audience,
                IssuerSigningKey = key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = StsClaims.Email,
                RoleClaimType = StsClaims.Role,
            };
            o.Events = new JwtBearerEvents
            {
                OnAuthenticationFailed = ctx =>
                {
                    ctx.HttpContext.Items[FailureItem] = ctx.Exception switch
                    {
                        SecurityTokenExpiredException => "token expired",
                        SecurityTokenInvalidAudienceException => "wrong audience",
                        SecurityTokenInvalidIssuerException => "wrong issuer",
                        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
                        SecurityTokenInvalidAlgorithmException => "algorithm not allowed",
                        _ => "invalid token",
                    };
                    return Task.CompletedTask;
                },
            };
        });
        services.AddAuthorization();
        return services;
    }
}
