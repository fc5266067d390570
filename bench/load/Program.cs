// sts-load: benchmarks a running SnapshotApi (bench/load.sh and bench/large-rooms.sh start what they need). Every mode
// is bounded in count and time and prints its figures, ending with one "RESULT ..." line a script can compare.
using Sts.Bench.Load;

const string Usage = """
    usage: sts-load MODE [options]          (--pids "api=PID[,PID];worker=PID;postgres=PID;rabbitmq=PID[;s3=PID]" for CPU and memory)
      create       --room-file F [--callers 8] [--rate R (open loop)] [--seconds 20] [--api URL[,URL]]
      get          --room-file F [--callers 8] [--seconds 20]
      end-to-end   --room-file F [--type pdf] [--in-flight 64] [--count 1000] [--seconds 120]
      fan-out      --room-file F [--type pdf] [--watchers 1000]      (pauses the worker with SIGSTOP while watchers attach)
      render-only  --room-file F [--type pdf] [--concurrency N] [--seconds 10]
      large-rooms  [--rooms 1.0,0.4] [--count 200] [--in-flight 8] [--max-seconds 3600]
      capacity     [--fixtures DIR] [--rooms small,medium,large] [--count 20] [--in-flight 4] [--max-seconds 3600]
    """;
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}
var options = new Args(args);
return args[0] switch
{
    "create" => await CreateLoad.RunAsync(options),
    "get" => await GetLoad.RunAsync(options),
    "end-to-end" => await EndToEnd.RunAsync(options),
    "fan-out" => await FanOut.RunAsync(options),
    "render-only" => RenderLoad.Run(options),
    "large-rooms" => await LargeRooms.RunAsync(options),
    "capacity" => await Capacity.RunAsync(options),
    _ => throw new ArgumentException($"Unknown mode '{args[0]}'.\n{Usage}"),
};
