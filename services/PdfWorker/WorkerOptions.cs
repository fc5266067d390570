using System.ComponentModel.DataAnnotations;

namespace Sts.PdfWorker;

/// <summary>How this worker consumes; bound from the "Worker" configuration section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Renders at once; 0 means one per core, the default, because rendering is CPU-bound.</summary>
    [Range(0, 256)]
    public int Concurrency { get; set; }

    /// <summary>
    /// Renders at once from the scheduled (batch) queue, on top of <see cref="Concurrency"/>: scheduled work has
    /// its own slots, so it never holds the ones interactive snapshots need, and uses little of the machine.
    /// </summary>
    [Range(1, 256)]
    public int ScheduledConcurrency { get; set; } = 1;

    /// <summary>
    /// Interactive messages consumed at once; 0 means twice <see cref="Concurrency"/>. Only the render itself waits for
    /// one of the Concurrency slots; reading the state, storing the file and publishing overlap with other renders. On
    /// SIGTERM, messages already taken count as in hand: they are rendered within <see cref="DrainTimeout"/> or go back.
    /// </summary>
    [Range(0, 1024)]
    public int MessageConcurrency { get; set; }

    /// <summary>Messages RabbitMQ hands this worker ahead of time; 0 means the same as MessageConcurrency, so idle workers are not starved.</summary>
    [Range(0, 1024)]
    public int Prefetch { get; set; }

    /// <summary>A render still running after this long is announced (RENDERING, then each later stage); a quicker one sends only its completion.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ProgressDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Names this worker in events and logs; defaults to host name and process id.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// A render that takes longer is stopped and its snapshot FAILED (the same content would take as long again).
    /// Kept far below RabbitMQ's consumer_timeout (30 minutes), after which the broker would close the channel.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:20:00")]
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// On SIGTERM the worker stops taking messages and gives the renders in hand this long to finish; a render still
    /// running then is cancelled and its message goes back to the queue for another worker (nothing is FAILED for it).
    /// Messages prefetched but not started go back at once. Keep the orchestrator's grace period above this plus 30 s
    /// (deploy/k8s sets 90 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How often this worker reports its totals to the API.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often old disk cache entries are evicted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromHours(1);

    public int EffectiveConcurrency => Concurrency == 0 ? Environment.ProcessorCount : Concurrency;

    public int EffectiveMessageConcurrency => MessageConcurrency == 0 ? 2 * EffectiveConcurrency : MessageConcurrency;

    public int EffectivePrefetch => Prefetch == 0 ? EffectiveMessageConcurrency : Prefetch;
}
