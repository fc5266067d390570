using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;
using Sts.Api.V1;

namespace Sts.EndToEnd.Tests.Schedules;

/// <summary>
/// The pipeline (an API replica that runs no schedules, and a worker) for schedule tests, which start their own API
/// replicas that run schedules on a <see cref="FakeTimeProvider"/>: slots come due when the test moves that clock, on
/// every replica at once, and nothing waits for real time.
/// </summary>
public sealed class ScheduleFixture : PipelineFixture
{
    /// <summary>
    /// <paramref name="count"/> replicas that run schedules, sharing one clock that starts at <paramref name="start"/> (a
    /// whole minute, so that moves to whole seconds land on the runners' ticks). Earlier tests' schedules are paused.
    /// </summary>
    public async Task<Runners> StartRunnersAsync(int count, DateTimeOffset start, TimeSpan? poll = null, IDictionary<string, string?>? overrides = null)
    {
        await ExecuteAsync("UPDATE schedules SET paused = true");
        var runners = new Runners(this, new FakeTimeProvider(start), Settings(poll, overrides));
        for (var i = 0; i < count; i++) await runners.AddAsync();
        return runners;
    }

    public Task<long> SlotCountAsync(string scheduleId) =>
        CountAsync("SELECT count(*) FROM schedule_slots WHERE schedule_id = @p0", Guid.Parse(scheduleId));

    public async Task<long> CountAsync(string sql, params object[] parameters) => await ScalarAsync<long>(sql, parameters);

    /// <summary>Waits until the schedule has run <paramref name="slots"/> slots in all.</summary>
    public Task WaitForSlotsAsync(string scheduleId, long slots, string what) =>
        SnapshotWaiting.EventuallyAsync(async () => await SlotCountAsync(scheduleId) >= slots, TimeSpan.FromSeconds(30), what);

    /// <summary>The schedule's slot records, oldest first: due time, snapshot, skipped slots, replica.</summary>
    public async Task<List<(DateTimeOffset DueAt, Guid? SnapshotId, int Skipped, string FiredBy)>> SlotsAsync(string scheduleId)
    {
        var text = await ScalarAsync<string>(
            """
            SELECT string_agg(to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '|' || coalesce(snapshot_id::text, '') || '|' || skipped_slots || '|' || fired_by, ';' ORDER BY due_at)
            FROM schedule_slots WHERE schedule_id = @p0
            """, Guid.Parse(scheduleId)) ?? "";
        return text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('|')).Select(f => (
            DateTimeOffset.ParseExact(f[0] + "Z", "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            f[1].Length == 0 ? (Guid?)null : Guid.Parse(f[1]),
            int.Parse(f[2], CultureInfo.InvariantCulture),
            f[3])).ToList();
    }

    /// <summary>Waits until a replica's /metrics has every one of <paramref name="series"/>; returns the samples (comment lines dropped).</summary>
    public static async Task<string> MetricsAsync(WebApplication replica, params string[] series)
    {
        using var http = new HttpClient();
        var url = new Uri(await HttpAddressOfAsync(replica), "/metrics");
        var samples = "";
        await SnapshotWaiting.EventuallyAsync(async () =>
        {
            samples = string.Join('\n', (await http.GetStringAsync(url)).Split('\n').Where(l => !l.StartsWith('#')));
            return series.All(name => samples.Contains(name, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(20), $"series {string.Join(", ", series)}");
        return samples;
    }

    /// <summary>A room every role can reach, upserted.</summary>
    public async Task<Room> RoomAsync()
    {
        var room = TestRooms.WithEveryRole(TestRooms.UniqueId("sched"));
        await Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        return room;
    }

    /// <summary>An interval schedule of CSV snapshots, from <paramref name="start"/> (else from its creation).</summary>
    public static Schedule Every(string roomId, TimeSpan interval, RetentionPolicy? retention = null, DateTimeOffset? start = null) => new()
    {
        RoomId = roomId,
        Interval = Duration.FromTimeSpan(interval),
        StartTime = start is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        Type = SnapshotType.Csv,
        Options = new SnapshotOptions { IncludeDocuments = true },
        TitleTemplate = "{room} at {slot}",
        Retention = retention,
    };

    private static Dictionary<string, string?> Settings(TimeSpan? poll, IDictionary<string, string?>? overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Schedules:Enabled"] = "true",
            ["Schedules:MinInterval"] = "00:00:01",
            ["Schedules:PollInterval"] = (poll ?? TimeSpan.FromSeconds(1)).ToString("c", CultureInfo.InvariantCulture),
            ["Schedules:Lease"] = "00:00:10",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        return settings;
    }
}

/// <summary>API replicas that run schedules on one fake clock. Disposing stops them and pauses every schedule.</summary>
public sealed class Runners(ScheduleFixture fixture, FakeTimeProvider clock, Dictionary<string, string?> settings) : IAsyncDisposable
{
    private readonly List<WebApplication> _replicas = [];

    public FakeTimeProvider Clock => clock;

    public IReadOnlyList<WebApplication> Replicas => _replicas;

    /// <summary>Starts one more replica on the same clock.</summary>
    public async Task<WebApplication> AddAsync()
    {
        var replica = await fixture.StartApiAsync(settings, clock);
        _replicas.Add(replica);
        return replica;
    }

    public async Task StopAsync(WebApplication replica)
    {
        _replicas.Remove(replica);
        await fixture.StopAsync(replica);
    }

    /// <summary>Creates the schedule <paramref name="build"/> makes for a new room, through a runner (so on the fake clock).</summary>
    public async Task<Schedule> ScheduleAsync(Func<string, Schedule> build)
    {
        var room = await fixture.RoomAsync();
        return (await (await AdminAsync()).Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = build(room.Id) })).Schedule;
    }

    /// <summary>A platform admin's client of a running replica (the first by default), on the fake clock.</summary>
    public Task<ApiClient> AdminAsync(int replica = 0) => fixture.AdminOfAsync(_replicas[replica]);

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas.ToList()) await StopAsync(replica);
        await fixture.ExecuteAsync("UPDATE schedules SET paused = true");
    }
}

[CollectionDefinition(Name)]
public sealed class ScheduleCollection : ICollectionFixture<ScheduleFixture>
{
    public const string Name = "schedules";
}
