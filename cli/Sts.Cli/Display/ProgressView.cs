using Spectre.Console;
using Sts.Api.V1;

namespace Sts.Cli.Display;

/// <summary>Shows a snapshot's states as they arrive: a live progress bar on a terminal, one line per change otherwise (CI logs).</summary>
public static class ProgressView
{
    /// <summary>Consumes <paramref name="states"/> and returns the last one, or null if there was none.</summary>
    public static Task<Snapshot?> ShowAsync(IAsyncEnumerable<Snapshot> states, CancellationToken ct) =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi ? LiveAsync(states, ct) : LinesAsync(states, ct);

    private static async Task<Snapshot?> LiveAsync(IAsyncEnumerable<Snapshot> states, CancellationToken ct)
    {
        Snapshot? last = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask("CONNECTING", maxValue: 100);
                await foreach (var state in states.WithCancellation(ct))
                {
                    last = state;
                    bar.Description = Markup.Escape(ValueText.Word(state.Status));
                    bar.Value = state.Status == SnapshotStatus.Completed ? 100 : state.Progress;
                }
                bar.StopTask();
            });
        return last;
    }

    private static async Task<Snapshot?> LinesAsync(IAsyncEnumerable<Snapshot> states, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        Snapshot? last = null;
        await foreach (var state in states.WithCancellation(ct))
        {
            if (last is null || last.Status != state.Status || last.Progress != state.Progress)
            {
                var elapsed = Duration.Format(TimeProvider.System.GetElapsedTime(started));
                Console.WriteLine($"[{elapsed}] {ValueText.Word(state.Status)} {state.Progress}%");
            }
            last = state;
        }
        return last;
    }
}
