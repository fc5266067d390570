using Microsoft.Extensions.Options;

namespace Sts.SnapshotApi.Auth;

/// <summary>Says at start-up, once, which tokens this replica accepts, so that nobody has to guess from a failure.</summary>
public sealed partial class AuthModeLog(IOptions<AuthOptions> options, IServiceProvider services, ILogger<AuthModeLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var auth = options.Value;
        if (auth.Mode == AuthMode.Development)
            LogDevelopment(auth.Issuer, auth.Audience);
        else
            LogIssuer(string.Join('/', auth.EffectiveAlgorithms), auth.Issuer, auth.Audience, services.GetRequiredService<IssuerKeys>().Source);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Authentication: DEVELOPMENT mode, HS256 tokens signed with the shared Auth:SigningKey (issuer {Issuer}, "
        + "audience {Audience}). Whoever holds the key can mint a token for anyone: set Auth:Authority to the platform's issuer in production.")]
    private partial void LogDevelopment(string issuer, string audience);

    [LoggerMessage(LogLevel.Information, "Authentication: OIDC mode, {Algorithms} tokens from issuer {Issuer} for audience {Audience}, "
        + "keys from {Source}; HS256 and unsigned tokens are refused.")]
    private partial void LogIssuer(string algorithms, string issuer, string audience, string source);
}
