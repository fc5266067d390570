using System.CommandLine;
using Sts.Api.V1;
using Sts.Cli.Display;
using static Sts.Cli.Display.ValueText;

namespace Sts.Cli.Commands;

/// <summary>sts tasks get.</summary>
public static class TaskCommands
{
    public static Command Create() => new("tasks", "Inspect the tasks that generate snapshot files.") { Get() };

    private static Command Get()
    {
        var taskId = new Argument<string>("task-id") { Description = "Task UUID, as in a snapshot's task field." };
        var command = new Command("get", "Show one task.") { taskId };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new GetTaskRequest { TaskId = parseResult.GetRequiredValue(taskId) };
            var task = (await connection.Snapshots.GetTaskAsync(request, connection.Unary(ct))).Task;
            var result = task.Result;
            Details.Write(
                ("id", task.Id),
                ("snapshot", task.SnapshotId),
                ("status", Word(task.Status)),
                ("progress", $"{task.Progress}%"),
                ("attempts", Number(task.Attempts)),
                ("created", Time(task.CreateTime)),
                ("started", Time(task.StartTime)),
                ("updated", Time(task.UpdateTime)),
                ("completed", Time(task.CompleteTime)),
                ("size", result is null ? "" : ExactBytes(result.SizeBytes)),
                ("sha256", result?.Sha256 ?? ""),
                ("cached", result is null ? "" : YesNo(result.Cached)),
                ("render time", result is null ? "" : Duration.Format(TimeSpan.FromMilliseconds(result.RenderMillis))),
                ("error", task.Error));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
