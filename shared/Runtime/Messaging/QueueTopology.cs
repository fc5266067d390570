using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sts.Shared.Hosting;
using Sts.Shared.Tls;

namespace Sts.Shared.Messaging;

/// <summary>
/// Runs before MassTransit starts: declares the work queues (generate-snapshot and generate-snapshot-scheduled, with
/// their exchanges and bindings) with the configured <see cref="BusOptions.QueueType"/>, and checks that every queue
/// this service uses — and its _error and _skipped queues — has that type. A queue's type is fixed once declared, and
/// RabbitMQ refuses a declaration of another type with PRECONDITION_FAILED; MassTransit would retry that forever, so
/// this check turns it into one <see cref="StartupCheckException"/> naming the queues and the way out.
/// </summary>
public sealed partial class QueueTopology(
    BusAddress address, IOptions<BusOptions> options, QueueTopology.Queues queues, IConfiguration configuration, ILogger<QueueTopology> logger)
    : IHostedService
{
    /// <summary>How long start-up waits for the broker, as MassTransit's own start does.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private const ushort NotFound = 404;
    private const ushort PreconditionFailed = 406;

    /// <summary>The queues a service declares: the shared work queues and those of its own consumers.</summary>
    public sealed record Queues(IReadOnlyList<string> Own);

    /// <summary>
    /// Where the outbox relay sends a work queue's messages. With classic queues, MassTransit's "queue:" address
    /// declares the queue on first use, as before. It declares it without arguments, which a quorum queue refuses
    /// (PRECONDITION_FAILED on x-queue-type), so with quorum queues the relay sends to the queue's exchange, and the
    /// queue and its binding are the ones declared here at start-up.
    /// </summary>
    public static Uri SendAddress(string queue, BusOptions options) => new(options.IsQuorum ? $"exchange:{queue}" : $"queue:{queue}");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var arguments = options.Value.IsQuorum ? new Dictionary<string, object?> { ["x-queue-type"] = BusOptions.Quorum } : null;
        await using var connection = await ConnectAsync(cancellationToken);
        var conflicts = new List<string>();
        string[] work = [GenerateSnapshot.Queue, GenerateSnapshot.ScheduledQueue];
        foreach (var queue in work.Concat(queues.Own))
        {
            foreach (var name in new[] { queue, $"{queue}_error", $"{queue}_skipped" })
            {
                if (await ExistsAsync(connection, name, cancellationToken))
                {
                    if (await ConflictAsync(connection, name, arguments, cancellationToken) is { } conflict) conflicts.Add(conflict);
                }
                else if (name == queue && work.Contains(queue))
                {
                    await DeclareWorkQueueAsync(connection, queue, arguments, cancellationToken);
                }
            }
        }
        if (conflicts.Count > 0)
        {
            throw new StartupCheckException(
                $"Bus:QueueType is '{options.Value.QueueType}', but RabbitMQ ({address.Host}) already has {string.Join("; ", conflicts)}. " +
                "A queue keeps the type it was declared with. Set Bus:QueueType to the queues' type, or migrate them first (docs/queues.md).");
        }
        Declared(logger, options.Value.QueueType, queues.Own.Count + work.Length);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = address.Host, UserName = address.Username, Password = address.Password, ClientProvidedName = "sts queue topology",
        };
        // amqps:// turns TLS on (Uri above); the broker's certificate is checked as the bus checks it.
        if (BrokerTrust.From(configuration, address.Host) is { } trust) factory.Ssl.CertificateValidationCallback = trust;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        while (true)
        {
            try
            {
                return await factory.CreateConnectionAsync(deadline.Token);
            }
            catch (BrokerUnreachableException ex) when (!deadline.IsCancellationRequested)
            {
                Unreachable(logger, address.Host, ex.InnerException?.Message ?? ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new StartupCheckException(
                    $"Cannot reach RabbitMQ at {address.Host} within {StartTimeout.TotalSeconds:F0} s ({ex.InnerException?.Message ?? ex.Message}). Check ConnectionStrings:RabbitMq.", ex);
            }
        }
    }

    private static async Task<bool> ExistsAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == NotFound)
        {
            return false; // the refusal closed this channel; the next check opens its own
        }
    }

    /// <summary>Declares the queue as this service would; a description of the clash when RabbitMQ refuses, else null.</summary>
    private static async Task<string?> ConflictAsync(IConnection connection, string queue, Dictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
            return null;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == PreconditionFailed)
        {
            return $"queue '{queue}' of another type ({ex.ShutdownReason.ReplyText})";
        }
    }

    /// <summary>Exchange, queue and binding exactly as the worker's MassTransit receive endpoint declares them.</summary>
    private static async Task DeclareWorkQueueAsync(IConnection connection, string queue, Dictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, queue, "", cancellationToken: cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RabbitMQ queues checked: {QueueType}, {Count} queues and their error queues")]
    private static partial void Declared(ILogger logger, string queueType, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ at {Host} not reachable yet ({Error}); retrying")]
    private static partial void Unreachable(ILogger logger, Uri host, string error);
}

/// <summary>Registration of <see cref="QueueTopology"/>.</summary>
public static class QueueTopologySetup
{
    /// <summary>
    /// Binds and validates Bus options and registers the check. Call it before AddMassTransit: hosted services start in
    /// the order they were added, and the check must run before MassTransit declares anything.
    /// </summary>
    public static BusOptions AddQueueTopology(this IServiceCollection services, IConfiguration configuration, params string[] ownQueues)
    {
        services.AddValidatedOptions<BusOptions>(BusOptions.Section);
        services.AddSingleton(BusAddress.From(configuration));
        services.AddSingleton(new QueueTopology.Queues(ownQueues));
        services.AddHostedService<QueueTopology>();
        return configuration.ReadOptions<BusOptions>(BusOptions.Section);
    }
}
