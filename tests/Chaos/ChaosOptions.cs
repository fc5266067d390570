using System.Globalization;
using Npgsql;

namespace Sts.Chaos;

/// <summary>Command-line arguments and the connection settings scripts/infra.sh env prints.</summary>
public sealed class ChaosOptions
{
    public const string Usage = """
        usage: sts-chaos [--creates N] [--long] [--seed S] [--infra PATH] [--repo PATH] [--api-replicas 1|2]
                         [--concurrency N] [--settle SECONDS] [--budget SECONDS] [--keep]
                         [--storage filesystem|s3] [--queue-type classic|quorum]
          --creates N      snapshots to create (default 200; --long: 2000)
          --long           the long form: 2000 creates and more fault repetitions
          --seed S         seed for the create mix and jitter (default: random, printed)
          --infra PATH     scripts/infra.sh to inject faults with (default: <repo>/scripts/infra.sh)
          --repo PATH      repository whose Release build to run (default: found above this program)
          --api-replicas N SnapshotApi replicas, 1 or 2 (default 2)
          --concurrency N  creates in flight at once (default 4)
          --settle S       how long to wait for every accepted snapshot to finish (default 120)
          --budget S       hard limit on the whole run (default 480; --long: 1500)
          --keep           keep the work folder (logs, storage) even when the run passes
          --storage K      where the services store files: filesystem (default; env STS_CHAOS_STORAGE) or s3, a bucket
                           of the run's own on the S3 server of `scripts/infra.sh env` (STS_S3_ENDPOINT, STS_S3_ACCESS_KEY,
                           STS_S3_SECRET_KEY)
          --queue-type T   Bus:QueueType of the services: classic (default; env STS_CHAOS_QUEUE_TYPE) or quorum
        Connection settings come from the environment, as `scripts/infra.sh env` prints them:
          ConnectionStrings__Postgres, STS_RABBIT_HOST, STS_RABBIT_PORT, STS_RABBIT_USER, STS_RABBIT_PASSWORD,
          STS_RABBIT_MANAGEMENT_PORT (default 15672). The infra script gets the same environment, so its STS_* overrides apply.
        """;

    public int Creates { get; private set; } = 200;
    public bool LongForm { get; private set; }
    public int Seed { get; private set; } = Random.Shared.Next(1, int.MaxValue);
    public string RepoRoot { get; private set; } = "";
    public string InfraScript { get; private set; } = "";
    public int ApiReplicas { get; private set; } = 2;
    public int Concurrency { get; private set; } = 4;
    public TimeSpan Settle { get; private set; } = TimeSpan.FromSeconds(120);
    public TimeSpan Budget { get; private set; }
    public bool Keep { get; private set; }
    public bool ShowHelp { get; private set; }
    public string Storage { get; private set; } = "filesystem";
    public string QueueType { get; private set; } = "classic";
    public string S3Endpoint { get; private set; } = "http://127.0.0.1:9000";
    public string S3AccessKey { get; private set; } = "S3RVER";
    public string S3SecretKey { get; private set; } = "S3RVER";
    public bool UsesS3 => Storage == "s3";

    /// <summary>Connection string of the server's maintenance database; the run makes and drops its own database beside it.</summary>
    public string AdminPostgres { get; private set; } = "";
    public string RabbitHost { get; private set; } = "127.0.0.1";
    public int RabbitPort { get; private set; } = 35672;
    public int RabbitManagementPort { get; private set; } = 15672;
    public string RabbitUser { get; private set; } = "sts";
    public string RabbitPassword { get; private set; } = "sts";

    public static ChaosOptions Parse(string[] args)
    {
        var o = new ChaosOptions();
        int? creates = null;
        double? budget = null;
        string? repo = null, infra = null;
        o.Storage = Env("STS_CHAOS_STORAGE") ?? o.Storage;
        o.QueueType = Env("STS_CHAOS_QUEUE_TYPE") ?? o.QueueType;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "--creates": creates = PositiveInt(arg, Value()); break;
                case "--long": o.LongForm = true; break;
                case "--seed": o.Seed = PositiveInt(arg, Value()); break;
                case "--infra": infra = Value(); break;
                case "--repo": repo = Value(); break;
                case "--api-replicas":
                    o.ApiReplicas = PositiveInt(arg, Value());
                    if (o.ApiReplicas > 2) throw new ArgumentException("--api-replicas is 1 or 2");
                    break;
                case "--concurrency": o.Concurrency = PositiveInt(arg, Value()); break;
                case "--settle": o.Settle = TimeSpan.FromSeconds(PositiveInt(arg, Value())); break;
                case "--budget": budget = PositiveInt(arg, Value()); break;
                case "--keep": o.Keep = true; break;
                case "--storage": o.Storage = Value(); break;
                case "--queue-type": o.QueueType = Value(); break;
                case "-h" or "--help": o.ShowHelp = true; break;
                default: throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (o.Storage is not ("filesystem" or "s3")) throw new ArgumentException($"--storage is filesystem or s3, not '{o.Storage}'");
        if (o.QueueType is not ("classic" or "quorum")) throw new ArgumentException($"--queue-type is classic or quorum, not '{o.QueueType}'");
        o.Creates = creates ?? (o.LongForm ? 2000 : 200);
        // The short form takes about 200 s on a quiet 2-core machine; the budget leaves room for a busy one (service starts of 10-18 s
        // were seen with other builds running), so that a slow machine does not fail the suite (the run still fails on any lost, stuck or duplicated snapshot).
        o.Budget = TimeSpan.FromSeconds(budget ?? (o.LongForm ? 1500 : 480));
        o.RepoRoot = Path.GetFullPath(repo ?? FindRepoRoot());
        o.InfraScript = Path.GetFullPath(infra ?? Path.Combine(o.RepoRoot, "scripts", "infra.sh"));
        if (!File.Exists(o.InfraScript)) throw new ArgumentException($"infra script not found: {o.InfraScript}");

        o.AdminPostgres = Env("ConnectionStrings__Postgres") ?? "Host=127.0.0.1;Port=55432;Username=sts;Password=sts;Database=sts";
        _ = new NpgsqlConnectionStringBuilder(o.AdminPostgres);
        o.RabbitHost = Env("STS_RABBIT_HOST") ?? o.RabbitHost;
        o.RabbitPort = EnvInt("STS_RABBIT_PORT") ?? o.RabbitPort;
        o.RabbitManagementPort = EnvInt("STS_RABBIT_MANAGEMENT_PORT") ?? o.RabbitManagementPort;
        o.RabbitUser = Env("STS_RABBIT_USER") ?? o.RabbitUser;
        o.RabbitPassword = Env("STS_RABBIT_PASSWORD") ?? o.RabbitPassword;
        o.S3Endpoint = Env("STS_S3_ENDPOINT") ?? o.S3Endpoint;
        o.S3AccessKey = Env("STS_S3_ACCESS_KEY") ?? o.S3AccessKey;
        o.S3SecretKey = Env("STS_S3_SECRET_KEY") ?? o.S3SecretKey;
        return o;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static int? EnvInt(string name) =>
        Env(name) is { } v ? int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture) : null;

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} needs a positive whole number, not '{value}'");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sts.sln"))) return dir.FullName;
        }
        throw new ArgumentException($"no Sts.sln above {AppContext.BaseDirectory}; pass --repo");
    }
}
