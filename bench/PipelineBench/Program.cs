// Create -> COMPLETED latency of the whole pipeline at light load (one snapshot at a time), measured by a
// client against running services (scripts/services.sh start). The baseline, measured in the same run,
// is a unary GetSnapshot round trip, so the ratio says how many plain API calls one snapshot costs.
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Sts.Api.V1;
using Sts.Shared.Auth;
using Sts.Shared.Rooms;

var api = Arg("--api") ?? Environment.GetEnvironmentVariable("STS_API") ?? "http://127.0.0.1:5080";
var count = int.Parse(Arg("--count") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
var fixture = Arg("--fixture") ?? throw new ArgumentException("--fixture PATH is required");
var settings = new TokenSettings { SigningKey = Environment.GetEnvironmentVariable("Auth__SigningKey") ?? throw new ArgumentException("Auth__SigningKey is not set (eval \"$(scripts/infra.sh env)\")") };

using var channel = GrpcChannel.ForAddress(api);
var admin = Client(TokenMinter.Mint(settings, "bench-admin@sts.local", StsClaims.AdminRole, [], TimeSpan.FromHours(1)));
var platform = Client(TokenMinter.Mint(settings, "platform@sts.local", null, [StsClaims.RoomsWriteScope], TimeSpan.FromHours(1)));
var rooms = new RoomService.RoomServiceClient(platform);
var snapshots = new SnapshotService.SnapshotServiceClient(admin);

var room = await RoomFile.LoadAsync(fixture);
room.Id = $"bench-{Path.GetFileNameWithoutExtension(fixture)}";
await rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });

// Warm up JIT, connections and caches on both services.
var warm = await CreateAndWaitAsync("warm-up");
for (var i = 0; i < 9; i++) await CreateAndWaitAsync("warm-up");

var baseline = new List<double>();
for (var i = 0; i < count; i++)
{
    var watch = Stopwatch.StartNew();
    await snapshots.GetSnapshotAsync(new GetSnapshotRequest { SnapshotId = warm }, deadline: DateTime.UtcNow.AddSeconds(10));
    baseline.Add(watch.Elapsed.TotalMilliseconds);
}

var latencies = new List<double>();
for (var i = 0; i < count; i++)
{
    var watch = Stopwatch.StartNew();
    await CreateAndWaitAsync($"bench {i}");
    latencies.Add(watch.Elapsed.TotalMilliseconds);
}

Console.WriteLine($"pipeline latency, {Path.GetFileName(fixture)}, {count} snapshots one at a time (create -> COMPLETED seen by WatchSnapshot)");
Console.WriteLine($"  {"",-26}{"p50",9}{"p90",9}{"p99",9}{"max",9}");
Print("baseline GetSnapshot (ms)", baseline);
Print("create -> completed (ms)", latencies);
Console.WriteLine($"  ratio p50 latency / p50 baseline: {Percentile(latencies, 50) / Percentile(baseline, 50):F1}x; target p50 <= 100 ms: {(Percentile(latencies, 50) <= 100 ? "met" : "NOT met")}");
return 0;

async Task<string> CreateAndWaitAsync(string title)
{
    var created = (await snapshots.CreateSnapshotAsync(
        new CreateSnapshotRequest { RoomId = room.Id, Title = title, Type = SnapshotType.Pdf }, deadline: DateTime.UtcNow.AddSeconds(10))).Snapshot;
    using var call = snapshots.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = created.Id }, deadline: DateTime.UtcNow.AddSeconds(60));
    Snapshot? last = null;
    await foreach (var message in call.ResponseStream.ReadAllAsync()) last = message.Snapshot;
    if (last?.Status != SnapshotStatus.Completed) throw new InvalidOperationException($"Snapshot {created.Id} ended {last?.Status}: {last?.Error}");
    return created.Id;
}

CallInvoker Client(string token) => channel.Intercept(metadata =>
{
    metadata.Add("authorization", $"Bearer {token}");
    return metadata;
});

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

static void Print(string label, List<double> values) =>
    Console.WriteLine($"  {label,-26}{Percentile(values, 50),9:F1}{Percentile(values, 90),9:F1}{Percentile(values, 99),9:F1}{values.Max(),9:F1}");
