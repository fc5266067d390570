using System.CommandLine;
using Grpc.Core;
using Grpc.Health.V1;
using Sts.Cli.Display;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Sts.Cli.Commands;

/// <summary>sts health: asks grpc.health.v1 whether the API is serving.</summary>
public static class HealthCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    // A health check answers at once or not at all; while waiting, a hung server must not eat the whole budget in one try.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var wait = Duration.OptionalOption("--wait", "Keep asking until the API is serving or this much time has passed, such as 30s.");
        var command = new Command("health", "Print SERVING or NOT_SERVING; exit 0 only when serving.") { wait };
        var api = new ApiOptions(command, identity: null);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var status = parseResult.GetValue(wait) is { } limit
                ? await WaitForServingAsync(connection, limit, ct)
                : await CheckAsync(connection, cap: null, ct);
            Console.WriteLine(ValueText.Word(status));
            return status == ServingStatus.Serving ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return command;
    }

    private static async Task<ServingStatus> CheckAsync(ApiConnection connection, TimeSpan? cap, CancellationToken ct) =>
        (await connection.Health.CheckAsync(new HealthCheckRequest(), connection.Unary(ct, cap))).Status;

    /// <summary>Polls until SERVING; once the time is up, the last answer or error stands.</summary>
    private static async Task<ServingStatus> WaitForServingAsync(ApiConnection connection, TimeSpan limit, CancellationToken ct)
    {
        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        bool TimeLeft() => clock.GetElapsedTime(started) + Poll < limit;
        while (true)
        {
            try
            {
                var status = await CheckAsync(connection, ProbeTimeout, ct);
                if (status == ServingStatus.Serving || !TimeLeft()) return status;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && TimeLeft())
            {
                // Not up yet: ask again.
            }
            await Task.Delay(Poll, clock, ct);
        }
    }
}
