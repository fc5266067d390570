using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Tests.Hosting;

/// <summary>
/// The house rule "the services share only contracts": Sts.Contracts is what the CLI and the benchmarks reference,
/// so it must not pull in a web framework, a storage client or a bus client.
/// </summary>
public sealed class ContractsDependencyTests
{
    [Fact]
    public void The_contracts_assembly_references_no_hosting_storage_or_bus_library()
    {
        var contracts = typeof(TokenMinter).Assembly;
        Assert.Equal("Sts.Contracts", contracts.GetName().Name);

        var forbidden = contracts.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                || n.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal)
                || n.StartsWith("AWSSDK", StringComparison.Ordinal)
                || n.StartsWith("RabbitMQ", StringComparison.Ordinal)
                || n.StartsWith("OpenTelemetry", StringComparison.Ordinal)
                || n == "Sts.Runtime")
            .ToList();
        Assert.Empty(forbidden);
    }
}
