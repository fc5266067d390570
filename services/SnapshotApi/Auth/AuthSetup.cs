using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sts.Shared.Auth;
using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Auth;

/// <summary>Why a bearer token was refused; <paramref name="Transient"/> when retrying later may succeed (UNAVAILABLE).</summary>
public sealed record AuthFailure(string Reason, bool Transient = false);

/// <summary>
/// JWT bearer authentication, in one of two modes (<see cref="AuthMode"/>): HS256 with the development key, or the
/// platform issuer's public keys (RS256, PS256, ES256 by kid). Rejection happens in the RPC pipeline, so that
/// every denial is audited.
/// </summary>
public static class AuthSetup
{
    /// <summary>HttpContext.Items key under which the <see cref="AuthFailure"/> of a rejected token is kept.</summary>
    public const string FailureItem = "sts.auth.failure";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddStsAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthOptions>(AuthOptions.Section);
        services.AddSingleton(sp => new ClaimMapping(sp.GetRequiredService<IOptions<AuthOptions>>().Value.Claims));
        services.AddHostedService<AuthModeLog>();

        var mode = configuration.ReadOptions<AuthOptions>(AuthOptions.Section).Mode;
        if (mode != AuthMode.Development)
        {
            services.AddHttpClient(JwksSource.HttpClientName);
            services.AddSingleton<JwksSource>();
            services.AddSingleton<IssuerKeys>();
            services.AddHostedService<IssuerKeysRefresher>();
            services.AddHealthChecks().AddCheck<IssuerKeysHealthCheck>("issuer-keys", tags: ["ready"]);
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, ClaimMapping, IServiceProvider>((o, auth, mapping, sp) =>
                Configure(o, auth.Value, mapping, sp.GetService<IssuerKeys>()));
        services.AddAuthorization();
        services.AddScoped<RoomAccess>();
        return services;
    }

    /// <param name="keys">The issuer's keys; null in development mode.</param>
    private static void Configure(JwtBearerOptions o, AuthOptions auth, ClaimMapping mapping, IssuerKeys? keys)
    {
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            NameClaimType = StsClaims.Email,
            RoleClaimType = StsClaims.Role,
        };
        if (keys is null)
        {
            o.TokenValidationParameters.IssuerSigningKey = auth.DevelopmentTokens.CreateKey();
            o.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else
        {
            // Only the issuer's published RSA/EC keys, only asymmetric algorithms: a token "signed" with the public
            // key as an HMAC secret, or not signed at all, finds nothing to verify against.
            o.TokenValidationParameters.ValidAlgorithms = auth.EffectiveAlgorithms;
            o.TokenValidationParameters.TryAllIssuerSigningKeys = false;
            o.TokenValidationParameters.IssuerSigningKeyResolver = (_, token, keyId, _) => keys.Resolve(keyId, (token as JsonWebToken)?.Alg);
        }
        o.Events = new JwtBearerEvents
        {
            OnMessageReceived = ctx => keys is null ? Task.CompletedTask : PrepareAsync(ctx, keys, auth.EffectiveAlgorithms),
            OnTokenValidated = ctx =>
            {
                ctx.Principal = mapping.ToCanonical(ctx.Principal!);
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = ctx =>
            {
                ctx.HttpContext.Items[FailureItem] = new AuthFailure(ctx.Exception switch
                {
                    SecurityTokenExpiredException => "token expired",
                    SecurityTokenInvalidAudienceException => "wrong audience",
                    SecurityTokenInvalidIssuerException => "wrong issuer",
                    SecurityTokenSignatureKeyNotFoundException when keys is not null => "unknown signing key",
                    SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
                    SecurityTokenInvalidAlgorithmException => "algorithm not allowed",
                    _ => "invalid token",
                });
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// Before the (synchronous) signature check: a token whose algorithm we never accept is refused before it can cause
    /// a key fetch; one naming a key id we do not have yet may fetch the keys once, within the rate limit, so that a
    /// rotated key works from its first token.
    /// </summary>
    private static async Task PrepareAsync(MessageReceivedContext ctx, IssuerKeys keys, IReadOnlyList<string> algorithms)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return;
        var token = header[7..].Trim();
        if (token.Length == 0) return;
        ctx.Token = token;
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return; // not a JWT: validation will say so
        }
        if (!algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            Refuse(ctx, new AuthFailure("algorithm not allowed"));
            return;
        }
        await keys.EnsureKnownAsync(jwt.Kid, ctx.HttpContext.RequestAborted);
        if (keys.Current is null)
            Refuse(ctx, new AuthFailure("the token issuer's signing keys are not available yet; retry later", Transient: true));
    }

    private static void Refuse(MessageReceivedContext ctx, AuthFailure failure)
    {
        ctx.HttpContext.Items[FailureItem] = failure;
        ctx.Fail(failure.Reason);
    }
}
