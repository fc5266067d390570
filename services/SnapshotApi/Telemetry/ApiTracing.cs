using System.Diagnostics;

namespace Sts.SnapshotApi.Telemetry;

/// <summary>The API's own spans (the outbox relay); gRPC server and MassTransit spans come from their instrumentation.</summary>
public static class ApiTracing
{
    public static readonly ActivitySource Source = new(ApiMetrics.MeterName);
}
