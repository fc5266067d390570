using Microsoft.Extensions.Options;

namespace Sts.SnapshotApi.Tls;

/// <summary>Checks the TLS files every Tls:ReloadInterval. Polling also sees Kubernetes' symlink swaps, which file watchers can miss.</summary>
public sealed class TlsCredentialsReload(TlsCredentials credentials, IOptions<TlsOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReloadInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                credentials.ReloadIfChanged();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
