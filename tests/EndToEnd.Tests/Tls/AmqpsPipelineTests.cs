using Sts.Api.V1;
using Sts.Shared.Tls;

namespace Sts.EndToEnd.Tests.Tls;

/// <summary>amqps:// with RabbitMq:CaFile end to end: a worker and an API replica reach a broker whose certificate comes from a private CA.</summary>
[Collection(ServicesCollection.Name)]
public sealed class AmqpsPipelineTests(ServicesFixture api)
{
    [Fact]
    public async Task A_worker_and_an_api_replica_on_amqps_with_a_private_ca_carry_a_snapshot_to_completion()
    {
        using var pki = new TestPki("STS Broker CA");
        await using var proxy = new TlsTerminatingProxy(pki.IssueServer("rabbitmq"), Backend());
        proxy.Start();
        var amqps = new UriBuilder(api.Broker.ConnectionString) { Scheme = "amqps", Host = "localhost", Port = proxy.Port }.Uri.ToString();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:RabbitMq"] = amqps, [BrokerTrust.CaFileSetting] = pki.CaFile };

        var worker = await api.StartWorkerAsync(settings);
        var replica = await api.StartApiAsync(settings);
        try
        {
            Assert.True(proxy.Handshakes >= 2, $"{proxy.Handshakes} TLS handshakes: both services should connect through TLS.");
            var room = TestRooms.WithEveryRole();
            await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            var client = await api.AdminOfAsync(replica);
            var created = (await client.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = room.Id, Title = "Over amqps", Type = SnapshotType.Json })).Snapshot;

            var updates = await client.WatchToEndAsync(created.Id, TimeSpan.FromSeconds(60));

            Assert.Equal(SnapshotStatus.Completed, updates[^1].Status);
        }
        finally
        {
            await api.StopAsync(replica);
            await api.StopAsync(worker);
        }
    }

    private Uri Backend() => new(api.Broker.ConnectionString);
}
