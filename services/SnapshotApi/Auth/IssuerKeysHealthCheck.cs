using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sts.SnapshotApi.Auth;

/// <summary>
/// Ready only once the issuer's signing keys are loaded: before that every token is refused, so the replica must not
/// get traffic. A later failed refresh does not make it unready, because the keys already fetched keep working.
/// </summary>
public sealed class IssuerKeysHealthCheck(IssuerKeys keys) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(keys.Current is { } current
            ? HealthCheckResult.Healthy($"{current.Keys.Count} signing keys from {keys.Source}, fetched {current.FetchedAt:O}"
                + (keys.LastError is { } error ? $"; the last refresh failed: {error}" : ""))
            : HealthCheckResult.Unhealthy($"No token signing keys yet: {keys.LastError ?? $"fetching from {keys.Source}"}"));
}
