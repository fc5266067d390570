using Sts.Api.V1;
using Sts.PdfWorker.Rendering;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Messaging;

namespace Sts.PdfWorker.Tests.Rendering;

public sealed class RoomFilterTests
{
    [Fact]
    public void Everything_included_keeps_the_room_as_it_is()
    {
        var room = Snapshots.Fixture("small");

        Assert.Equal(room, RoomFilter.Apply(room, Snapshots.Everything));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(1000)]
    public void Activity_limit_keeps_the_newest_entries_oldest_first(int limit)
    {
        var room = Snapshots.Fixture("small");

        var filtered = RoomFilter.Apply(room, Snapshots.Everything with { ActivityLimit = limit });

        var expected = room.Activities.Skip(Math.Max(0, room.Activities.Count - limit)).ToList();
        Assert.Equal(expected, filtered.Activities);
    }

    [Fact]
    public void Excluded_sections_are_empty_and_the_rest_is_kept()
    {
        var room = Snapshots.Fixture("small");

        var filtered = RoomFilter.Apply(room, new RenderOptions(IncludeDocuments: false, IncludeActivity: false, IncludeApprovals: false, ActivityLimit: 0));

        Assert.Empty(filtered.Documents);
        Assert.Empty(filtered.Activities);
        Assert.Empty(filtered.Approvals);
        Assert.Equal(room.Parties, filtered.Parties);
        Assert.Equal(room.Vessels, filtered.Vessels);
        Assert.Equal(room.Title, filtered.Title);
        Assert.NotEmpty(room.Documents);
    }
}
