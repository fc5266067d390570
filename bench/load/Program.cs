// sts-load: benchmarks a running SnapshotApi (start it with scripts/services.sh, or use bench/*.sh, which do).
// Every mode is bounded in count and time and prints its figures; see bench/README.md for the modes.
using Sts.Bench.Load;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: sts-load large-rooms [--api URL] [--rooms 1.0,0.4] [--count 200] [--in-flight 8] [--max-seconds 3600] [--api-pid PID] [--worker-pid PID]");
    Console.WriteLine("       sts-load capacity [--api URL] [--fixtures DIR] [--rooms small,medium,large] [--count 20] [--in-flight 4] [--max-seconds 3600]");
    Console.WriteLine("                         [--api-pid PID] [--worker-pid PID] [--postgres-pid PID] [--rabbitmq-pid PID] [--s3-pid PID]");
    return args.Length == 0 ? 2 : 0;
}
var options = new Args(args);
return args[0] switch
{
    "large-rooms" => await LargeRooms.RunAsync(options),
    "capacity" => await Capacity.RunAsync(options),
    _ => throw new ArgumentException($"Unknown mode '{args[0]}'."),
};
