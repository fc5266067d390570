using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Sts.SnapshotApi.Data;

namespace Sts.SnapshotApi.Tests.Hosting;

[Collection(ApiCollection.Name)]
public sealed class HostingTests(ApiFixture api)
{
    [Fact]
    public async Task Applying_migrations_again_is_harmless()
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM \"__EFMigrationsHistory\"");
        await api.Services.MigrateDatabaseAsync();
        await api.Services.MigrateDatabaseAsync();
        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM \"__EFMigrationsHistory\""));
        Assert.True(before >= 1);
    }

    [Fact]
    public async Task Health_answers_serving_without_a_token()
    {
        using var channel = GrpcChannel.ForAddress(api.Address);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_services()
    {
        using var channel = GrpcChannel.ForAddress(api.Address);
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("sts.snapshot.v1.SnapshotService", names);
        Assert.Contains("sts.snapshot.v1.RoomService", names);
        Assert.Contains("sts.snapshot.v1.AuditService", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }
}
