using System.Text.Json;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Observability;

/// <summary>Counts everything its own pipeline did, so it runs on a pipeline of its own.</summary>
[Collection(QuietPipelineCollection.Name)]
public sealed class RenderCacheSummaryTests(PipelineFixture cluster)
{
    [Fact]
    public async Task Twenty_snapshots_half_of_them_repeats_show_half_served_from_the_cache()
    {
        var rooms = new List<Room>();
        for (var i = 0; i < 10; i++)
        {
            var room = TestRooms.WithEveryRole();
            await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            rooms.Add(room);
        }
        var firsts = new List<Snapshot>();
        var repeats = new List<Snapshot>();
        foreach (var pass in new[] { firsts, repeats })
        {
            for (var i = 0; i < rooms.Count; i++)
            {
                var type = i % 2 == 0 ? SnapshotType.Json : SnapshotType.Csv;
                var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = rooms[i].Id, Title = $"pass {i}", Type = type })).Snapshot;
                pass.Add((await cluster.Admin.WatchToEndAsync(created.Id))[^1]);
            }
        }

        Assert.All(firsts, s => Assert.False(s.Cached));
        Assert.All(repeats, s => Assert.True(s.Cached));
        Assert.All(firsts.Concat(repeats), s => Assert.Equal(SnapshotStatus.Completed, s.Status));
        // A cached JSON file still names its own snapshot, with the same room content.
        var (_, first) = await cluster.Admin.DownloadAsync(firsts[0].Id);
        var (_, again) = await cluster.Admin.DownloadAsync(repeats[0].Id);
        using (var a = JsonDocument.Parse(first))
        using (var b = JsonDocument.Parse(again))
        {
            Assert.Equal(repeats[0].Id, b.RootElement.GetProperty("snapshot").GetProperty("id").GetString());
            Assert.Equal(a.RootElement.GetProperty("room").GetRawText(), b.RootElement.GetProperty("room").GetRawText());
        }

        GetMetricsSummaryResponse? summary = null;
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            summary = await cluster.Admin.Operations.GetMetricsSummaryAsync(new GetMetricsSummaryRequest { Hours = 1 });
            return summary.Cache.Misses + summary.Cache.MemoryHits + summary.Cache.DiskHits == 20;
        }, TimeSpan.FromSeconds(15), "the worker to report its cache statistics");

        Assert.Equal(20, summary!.Generation.Total);
        Assert.Equal(20, summary.Generation.Completed);
        Assert.Equal(10, summary.Generation.Cached);
        Assert.Equal(50, summary.Generation.CacheHitRatePercent);
        Assert.Equal(0, summary.Generation.Failed);
        Assert.True(summary.Generation.P95Millis >= summary.Generation.AverageMillis * 0.5);
        Assert.Equal(1, summary.WorkersReporting);
        Assert.Equal(10, summary.Cache.Misses);
        Assert.Equal(10, summary.Cache.MemoryHits);
        Assert.Equal(50, summary.Cache.HitRatePercent);
        Assert.Equal(10, summary.Cache.MemoryEntries);
        Assert.Equal(10, summary.Cache.DiskEntries);
        Assert.Equal(20, summary.Tasks.Completed);
    }

    [Fact]
    public async Task Metrics_summary_is_for_platform_admins_only()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            cluster.As("owner@example.com").Operations.GetMetricsSummaryAsync(new GetMetricsSummaryRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);

        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            cluster.Admin.Operations.GetMetricsSummaryAsync(new GetMetricsSummaryRequest { Hours = -1 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }
}
