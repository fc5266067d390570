using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sts.Shared.Hosting;

namespace Sts.Shared.Storage;

/// <summary>Registers the configured <see cref="ISnapshotStore"/>, its validated options, and its start-up check.</summary>
public static class StorageSetup
{
    public static IServiceCollection AddSnapshotStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Section);
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<ISnapshotStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (options.IsS3) return new S3Store(S3ClientFactory.Create(options.S3), options.S3, sp.GetRequiredService<ILogger<S3Store>>());
            try
            {
                return new FileSystemStore(options.Root);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StartupCheckException($"Storage:Root '{options.Root}' cannot be used as the storage folder: {ex.Message}", ex);
            }
        });
        // Registered here, before the bus: a store that cannot work stops the service before it takes any message.
        services.AddHostedService<StorageStartupCheck>();
        return services;
    }
}

/// <summary>Opens the store at start-up: creates the folder, or proves that the bucket exists and takes the credentials.</summary>
internal sealed partial class StorageStartupCheck(
    ISnapshotStore store, IOptions<StorageOptions> options, TimeProvider clock, ILogger<StorageStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is not S3Store s3) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.S3.StartupTimeout);
        var started = clock.GetTimestamp();
        await s3.CheckAccessAsync(timeout.Token);
        var elapsed = clock.GetElapsedTime(started);
        // The first request pays for loading the SDK and resolving its endpoint: part of every replica's start-up time.
        Checked(logger, s3.Bucket, elapsed.TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "S3 bucket {Bucket} checked in {Milliseconds:F0} ms (first request of the process)")]
    private static partial void Checked(ILogger logger, string bucket, double milliseconds);
}
