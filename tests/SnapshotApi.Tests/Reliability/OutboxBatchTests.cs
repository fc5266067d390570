using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Sts.Api.V1;
using Sts.Shared.Auth;
using Sts.SnapshotApi.Data;
using Sts.SnapshotApi.Outbox;

namespace Sts.SnapshotApi.Tests.Reliability;

[Collection(ApiCollection.Name)]
public sealed class OutboxBatchTests(ApiFixture api)
{
    [Theory]
    [InlineData(new long[] { }, 100, 0)]
    [InlineData(new long[] { 500 }, 100, 1)]       // one row larger than the budget still goes, alone
    [InlineData(new long[] { 40, 60, 1 }, 100, 2)] // exactly at the budget
    [InlineData(new long[] { 40, 61, 1 }, 100, 1)] // a later small row does not jump the queue
    [InlineData(new long[] { 1, 1, 1 }, 100, 3)]
    public void A_round_takes_the_oldest_rows_within_the_byte_budget(long[] sizes, long budget, int expected) =>
        Assert.Equal(expected, OutboxBatch.Take(sizes, budget));

    /// <summary>
    /// After an outage the outbox holds a backlog; the relay sends it in rounds that each stay within
    /// Outbox:MaxBatchBytes (a round's payloads are held in memory several times over while sent), one round
    /// straight after another rather than one per poll. A replica of its own, on a database of its own, so that
    /// no other relay takes part; the poll is 10 minutes, so only "go on while rows are waiting" can empty it in time.
    /// </summary>
    [Fact]
    public async Task A_backlog_goes_out_in_rounds_within_the_byte_budget_one_after_another()
    {
        const int budget = 64 * 1024;
        await using var database = await TestDatabase.CreateAsync();
        var replica = await api.StartApiAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Outbox:MaxBatchBytes"] = budget.ToString(CultureInfo.InvariantCulture),
            ["Outbox:PollInterval"] = "00:10:00",
        });
        try
        {
            await replica.Services.MigrateDatabaseAsync();
            var platform = await api.ClientOfAsync(replica, ApiFixture.PlatformEmail, null, StsClaims.RoomsWriteScope);
            var room = TestRooms.Fixture("small", TestRooms.UniqueId("outbox"));
            await platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
            await (await api.AdminOfAsync(replica)).Snapshots.CreateSnapshotAsync(
                new CreateSnapshotRequest { RoomId = room.Id, Title = "backlog", Type = SnapshotType.Pdf });
            await database.WaitUntilRelayedAsync();

            // A backlog that appears at once: more messages for the same snapshot (consumers are idempotent),
            // enough for 4 rounds of `perRound` rows.
            var original = await database.ScalarAsync<long>("SELECT id FROM outbox");
            var size = await database.ScalarAsync<int>("SELECT octet_length(payload) FROM outbox");
            var perRound = budget / size;
            Assert.InRange(perRound, 2, 30);
            var copies = 3 * perRound + 1;
            await database.ExecuteAsync($"""
                INSERT INTO outbox (message_id, message_type, payload, trace_parent, created_at, attempts, snapshot_id)
                SELECT gen_random_uuid(), message_type, payload, trace_parent, now(), 0, snapshot_id FROM outbox, generate_series(1, {copies});
                """);
            // Woken once, as a create on this replica wakes it.
            replica.Services.GetRequiredService<OutboxSignal>().Wake();
            await database.WaitUntilRelayedAsync();

            // Rows sent in one round share their sent_at (the round's transaction time): "rows:bytes" per round, in order.
            var summary = await database.ScalarAsync<string>($"""
                SELECT string_agg(rows || ':' || bytes, ',' ORDER BY sent_at)
                FROM (SELECT sent_at, count(*) AS rows, sum(octet_length(payload)) AS bytes FROM outbox WHERE id <> {original} GROUP BY sent_at) AS r
                """);
            var rounds = summary!.Split(',').Select(r => r.Split(':')).Select(r => (Rows: long.Parse(r[0], CultureInfo.InvariantCulture), Bytes: long.Parse(r[1], CultureInfo.InvariantCulture))).ToList();
            Assert.All(rounds, r => Assert.True(r.Bytes <= budget, $"a round sent {r.Rows} rows, {r.Bytes} bytes"));
            Assert.Equal([perRound, perRound, perRound, 1], rounds.Select(r => r.Rows));
        }
        finally
        {
            await api.StopAsync(replica);
        }
    }
}
