using System.ComponentModel.DataAnnotations;

namespace Sts.Shared.Messaging;

/// <summary>How the services' queues are declared on RabbitMQ; bound from the "Bus" configuration section.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";
    public const string Classic = "classic";
    public const string Quorum = "quorum";

    /// <summary>
    /// "classic" (default: what existing deployments declared, and all a single broker needs) or "quorum" (replicated
    /// across a RabbitMQ cluster's nodes; use it on a cluster). A queue keeps the type it was declared with: changing
    /// this for a broker that already has the queues needs the migration in docs/queues.md, and the services refuse to
    /// start (naming the queues) until it is done.
    /// </summary>
    [RegularExpression("^(classic|quorum)$", ErrorMessage = "Bus:QueueType must be 'classic' or 'quorum'.")]
    public string QueueType { get; set; } = Classic;

    public bool IsQuorum => QueueType == Quorum;
}
