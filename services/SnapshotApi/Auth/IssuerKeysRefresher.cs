using Microsoft.Extensions.Options;

namespace Sts.SnapshotApi.Auth;

/// <summary>
/// Loads the issuer's keys at start-up without holding start-up up (readiness says whether they are there), retries
/// with a growing pause while the issuer is down, and fetches them again every Auth:KeyRefreshInterval.
/// </summary>
public sealed class IssuerKeysRefresher(IssuerKeys keys, IOptions<AuthOptions> options, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var loaded = await keys.FetchAsync(keys.Current is null ? "start" : "scheduled").WaitAsync(stoppingToken);
                TimeSpan pause;
                if (loaded)
                {
                    pause = options.Value.KeyRefreshInterval;
                    retry = FirstRetry;
                }
                else
                {
                    pause = retry;
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, options.Value.KeyRefreshMinInterval.Ticks));
                }
                await Task.Delay(pause, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
