using System.Globalization;
using Grpc.Core;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;

namespace Sts.Chaos;

/// <summary>One slot of the schedule as the database recorded it.</summary>
public sealed record SlotFacts(DateTimeOffset DueAt, Guid? SnapshotId, int Skipped, string FiredBy);

/// <summary>
/// A schedule active through the whole run: created before the load, on every replica's runner, paused before the
/// settle wait. Its snapshots go through the same checker as the creates (lost, stuck, duplicated, corrupt); on top,
/// the slots themselves are checked: none ran twice, each made one snapshot, and every slot from the first to the last
/// either ran or is recorded as skipped by a later run (no silent gap).
/// </summary>
public sealed class ChaosSchedule(Identities identities)
{
    public const string Phase = "schedule";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private Schedule? _schedule;

    public List<SlotFacts> Slots { get; } = [];
    public long SnapshotsByPrincipal { get; private set; }
    public long AuditedRuns { get; private set; }

    /// <summary>Slots with more than one snapshot, or snapshots of the principal with no slot of their own.</summary>
    public long FiredTwice { get; private set; }

    /// <summary>Slots between the first and the last that neither ran nor were recorded as skipped.</summary>
    public long SilentGaps { get; private set; }

    public long Skipped => Slots.Sum(s => (long)s.Skipped);

    public async Task StartAsync(ApiReplica api, CancellationToken ct)
    {
        var request = new CreateScheduleRequest
        {
            Schedule = new Schedule
            {
                RoomId = ChaosRooms.Shapes[0].Id,
                Interval = Duration.FromTimeSpan(Interval),
                Type = SnapshotType.Csv,
                TitleTemplate = "Chaos schedule {slot}",
            },
        };
        _schedule = (await api.Schedules.CreateScheduleAsync(request, identities.Creator, DateTime.UtcNow.AddSeconds(30), ct)).Schedule;
    }

    /// <summary>Pauses it on whichever replica answers, retrying while faults settle.</summary>
    public async Task PauseAsync(Cluster cluster, CancellationToken ct)
    {
        var request = new UpdateScheduleRequest
        {
            Schedule = new Schedule { Id = Schedule.Id, Paused = true },
            UpdateMask = new FieldMask { Paths = { "paused" } },
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var api = await cluster.AnyReadyApiAsync(ct);
                await api.Schedules.UpdateScheduleAsync(request, identities.Creator, DateTime.UtcNow.AddSeconds(10), ct);
                return;
            }
            catch (RpcException ex) when (attempt < 10 && ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>Reads the slots and counts what the promise forbids.</summary>
    public async Task CheckAsync(RunDatabase db, CancellationToken ct)
    {
        var id = Guid.Parse(Schedule.Id);
        Slots.AddRange(await db.QueryAsync(
            $"SELECT due_at, snapshot_id, skipped_slots, fired_by FROM schedule_slots WHERE schedule_id = '{id}' ORDER BY due_at",
            r => new SlotFacts(new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.IsDBNull(1) ? null : r.GetGuid(1), r.GetInt32(2), r.GetString(3)), ct));
        SnapshotsByPrincipal = await db.CountAsync($"SELECT count(*) FROM snapshots WHERE created_by = '{Schedule.Principal}'", ct);
        AuditedRuns = await db.CountAsync($"SELECT count(*) FROM audit_log WHERE action = 'ScheduleRun' AND actor = '{Schedule.Principal}'", ct);
        var slotsPerSnapshot = Slots.Where(s => s.SnapshotId is not null).GroupBy(s => s.SnapshotId).Count(g => g.Count() > 1);
        FiredTwice = slotsPerSnapshot + Math.Max(0, SnapshotsByPrincipal - Slots.Count(s => s.SnapshotId is not null))
                     + (Slots.Count - Slots.Select(s => s.DueAt).Distinct().Count());
        if (Slots.Count > 0)
        {
            // Every slot from the schedule's first to the last that ran is either a run or counted by a later run.
            var first = Schedule.NextRunTime.ToDateTimeOffset();
            var owed = (Slots[^1].DueAt - first).Ticks / Interval.Ticks + 1;
            SilentGaps = owed - Slots.Count - Skipped;
        }
    }

    /// <summary>Each slot's snapshot as an accepted create, for the checker (a slot whose snapshot row is gone is lost).</summary>
    public IEnumerable<CreateRecord> Records(int firstNumber) => Slots.Select((slot, i) => new CreateRecord
    {
        Number = firstNumber + i,
        Phase = Phase,
        RequestId = $"slot {slot.DueAt:O}",
        RoomId = ChaosRooms.Shapes[0].Id,
        Type = SnapshotType.Csv,
        IssuedAtSeconds = 0,
        Outcome = CreateOutcome.Accepted,
        SnapshotId = slot.SnapshotId ?? Guid.Empty,
        Attempts = 1,
        Replica = slot.FiredBy,
    });

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"schedule every {Interval.TotalSeconds:F0} s: {Slots.Count} slots ran on {Slots.Select(s => s.FiredBy).Distinct().Count()} replica process(es), {Skipped} skipped and recorded " +
        $"(the misfire policy: {Slots.Count(s => s.Skipped > 0)} late runs stood for them), {SnapshotsByPrincipal} snapshots by its principal, {AuditedRuns} ScheduleRun audit records; " +
        $"slots fired twice: {FiredTwice}; silent gaps: {SilentGaps}");

    public bool Held => FiredTwice == 0 && SilentGaps == 0 && AuditedRuns == Slots.Count && Slots.Count > 0;

    private Schedule Schedule => _schedule ?? throw new InvalidOperationException("The schedule was not created.");
}
