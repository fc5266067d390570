using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Sts.Api.V1;
using Sts.SnapshotApi.Tests.Tls;
using Xunit.Abstractions;

namespace Sts.SnapshotApi.Tests.Fuzzing;

/// <summary>
/// Generated hostile traffic on every RPC: more than 10,000 requests from a fixed seed, mixing hostile strings,
/// numeric extremes, unknown enum values, near-UUIDs, forged page tokens, payloads at and past every size limit,
/// hostile identities and raw bytes the client would never send. The tests share one run (per fixture)
/// and check what must survive it. A failure names the seed and the cases; the same seed sends the same requests.
/// It runs against the API in development mode (<see cref="FuzzTests"/>) and as production runs it, with an OIDC
/// issuer's tokens and mutual TLS (<see cref="ProductionIdentityFuzzTests"/>).
/// </summary>
public abstract class FuzzSuite(ApiFixture api, ITestOutputHelper output)
{
    private static readonly ConditionalWeakTable<ApiFixture, Task<FuzzRun>> Runs = new();

    [Fact]
    public async Task No_request_gets_an_internal_or_unknown_status()
    {
        var run = await RunAsync();

        Assert.True(run.Outcomes.Count >= 10_000, $"Only {run.Outcomes.Count} requests were sent.");
        var unexercised = Enum.GetValues<FuzzRpc>().Except(run.Outcomes.Select(o => o.Case.Rpc)).ToList();
        Assert.True(unexercised.Count == 0, $"Never sent: {string.Join(", ", unexercised)}");
        var failures = run.Outcomes.Where(o => o.Code is StatusCode.Internal or StatusCode.Unknown).ToList();
        Assert.True(failures.Count == 0,
            $"Seed {run.Seed}: {failures.Count} of {run.Outcomes.Count} calls ended INTERNAL or UNKNOWN, by caller: "
            + string.Join("; ", failures.GroupBy(f => f.CallerKind).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))
            + ". The first few:\n  " + string.Join("\n  ", failures.Take(8)));
    }

    [Fact]
    public async Task Requests_the_server_cannot_read_are_refused_with_a_status_that_says_why()
    {
        var run = await RunAsync();

        // Bytes that do not parse get INVALID_ARGUMENT, messages over the size limit RESOURCE_EXHAUSTED; a caller
        // without a valid token hears UNAUTHENTICATED first, as for a readable request.
        var unreadable = run.Outcomes.Where(o => !o.Readable).ToList();
        Assert.True(unreadable.Count >= 100, $"Seed {run.Seed}: only {unreadable.Count} unreadable requests were sent.");
        // Which callers the server does not accept, learnt from their readable requests.
        var unauthenticated = run.Outcomes.Where(o => o.Readable && o.Code == StatusCode.Unauthenticated).Select(o => o.Caller).ToHashSet(StringComparer.Ordinal);
        var wrong = unreadable.Where(o => o.Code != Expected(o)).ToList();
        Assert.True(wrong.Count == 0, $"Seed {run.Seed}: {wrong.Count} of {unreadable.Count} unreadable requests got an unexpected status:\n  " + string.Join("\n  ", wrong.Take(8)));
        Assert.Contains(unreadable, o => o.Code == StatusCode.InvalidArgument);

        StatusCode Expected(FuzzOutcome o) =>
            unauthenticated.Contains(o.Caller) ? StatusCode.Unauthenticated
            : o.Rpc.EndsWith("(raw bytes)", StringComparison.Ordinal) ? StatusCode.InvalidArgument
            : StatusCode.ResourceExhausted;
    }

    [Fact]
    public async Task Service_still_answers_after_the_fuzz_run()
    {
        var run = await RunAsync();

        var health = await new Health.HealthClient(api.Channel(api.Address)).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var stored = (await api.Admin.Rooms.GetRoomAsync(new GetRoomRequest { RoomId = FuzzScene.AnchorRoomId }, deadline: DateTime.UtcNow.AddSeconds(10))).Room;
        var expected = TestRooms.WithEveryRole(FuzzScene.AnchorRoomId);
        Assert.True(Comparable(stored).Equals(Comparable(expected)), $"Seed {run.Seed}: the anchor room changed: {stored}");
    }

    [Fact]
    public async Task Database_is_consistent_after_the_fuzz_run()
    {
        var run = await RunAsync();

        var chain = await api.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.True(chain.Valid, $"Seed {run.Seed}: the audit chain breaks at {chain.FirstBadSequence}: {chain.Reason}");
        var withoutOneTask = await api.ScalarAsync<string>(
            "SELECT string_agg(s.id::text, ', ') FROM snapshots s WHERE (SELECT count(*) FROM tasks t WHERE t.snapshot_id = s.id) <> 1");
        Assert.True(withoutOneTask is null, $"Seed {run.Seed}: snapshots without exactly one task: {withoutOneTask}");
        // A published message outlives its snapshot only when the snapshot was deleted through the API (the row then
        // waits for housekeeping); any other outbox row must point at a snapshot that exists.
        var dangling = await api.ScalarAsync<string>(
            """
            SELECT string_agg(o.id || ' -> ' || (o.payload::jsonb ->> 'SnapshotId'), ', ') FROM outbox o
            WHERE NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.id = (o.payload::jsonb ->> 'SnapshotId')::uuid)
              AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'SnapshotService.DeleteSnapshot' AND a.outcome = 'ok'
                              AND a.snapshot_id = (o.payload::jsonb ->> 'SnapshotId')::uuid)
            """);
        Assert.True(dangling is null, $"Seed {run.Seed}: outbox rows for snapshots that do not exist: {dangling}");
    }

    [Fact]
    public async Task Every_call_left_exactly_one_audit_record()
    {
        var run = await RunAsync();

        // Every call, readable or not: unreadable ones are audited by RequestMessageCheck, the rest by the pipeline.
        var actions = run.AuditsExpected.Keys.Union(run.AuditsWritten.Keys).Order(StringComparer.Ordinal).ToList();
        var differences = actions
            .Select(a => (Action: a, Expected: run.AuditsExpected.GetValueOrDefault(a), Written: run.AuditsWritten.GetValueOrDefault(a)))
            .Where(d => d.Expected != d.Written)
            .Select(d => $"{d.Action}: {d.Written} records for {d.Expected} calls")
            .ToList();
        Assert.True(differences.Count == 0, $"Seed {run.Seed}: audit records do not match the calls that reached the pipeline:\n  " + string.Join("\n  ", differences));
    }

    private async Task<FuzzRun> RunAsync()
    {
        var run = await Runs.GetValue(api, fixture => FuzzRun.ExecuteAsync(fixture, FuzzRun.SeedFromEnvironment()));
        output.WriteLine(run.Summary());
        output.WriteLine(run.Table());
        output.WriteLine(run.CallerTable());
        output.WriteLine(run.BulkOutcomes());
        return run;
    }

    /// <summary>The room's content without the fields the service sets.</summary>
    private static Room Comparable(Room room)
    {
        var copy = room.Clone();
        copy.Version = 0;
        copy.UpdateTime = null;
        return copy;
    }
}

/// <summary>The fuzz run against the API in development mode (HS256 tokens, plaintext gRPC).</summary>
[Collection(ApiCollection.Name)]
public sealed class FuzzTests(ApiFixture api, ITestOutputHelper output) : FuzzSuite(api, output);

/// <summary>The fuzz run against the API with an OIDC issuer's tokens and mutual TLS on the gRPC port.</summary>
[Collection(ProductionIdentityCollection.Name)]
public sealed class ProductionIdentityFuzzTests(ProductionIdentityFixture api, ITestOutputHelper output) : FuzzSuite(api, output);
