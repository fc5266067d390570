using Google.Rpc;
using Grpc.Core;
using Sts.Cli.Display;

namespace Sts.Cli;

/// <summary>Turns a failure into one line on stderr and an exit code: the one place that decides both.</summary>
public static class ErrorReport
{
    /// <summary>Runs a command's work, reporting CLI-detected failures and local I/O errors instead of a stack trace.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (CliException ex)
        {
            Write(ex.Message);
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Write(ex.Message);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Write("Cancelled.");
            return ExitCodes.Failure;
        }
    }

    /// <summary>Writes "CODE: detail [field: problem; ...] (hint)" and returns the exit code for the status.</summary>
    public static int Report(RpcException ex, string? hint)
    {
        var status = ex.GetRpcStatus();
        var detail = status?.Message ?? ex.Status.Detail;
        var line = detail.Length > 0 ? $"{ValueText.Word(ex.StatusCode)}: {detail}" : ValueText.Word(ex.StatusCode);
        // Failures on this side (connection refused, name not resolved) keep their cause in the debug exception.
        if (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal
            && ex.Status.DebugException?.GetBaseException().Message is { } cause && !line.Contains(cause, StringComparison.Ordinal))
            line += $" {cause}";
        if (status?.GetDetail<BadRequest>() is { FieldViolations.Count: > 0 } badRequest && !SaysItAll(line, badRequest))
            line += $" [{string.Join("; ", badRequest.FieldViolations.Select(v => $"{v.Field}: {v.Description}"))}]";
        if (status?.GetDetail<RetryInfo>() is { RetryDelay: { } delay })
            line += $" (retry after {Duration.Format(delay.ToTimeSpan())})";
        if (hint is not null)
            line += $" ({hint})";
        Write(line);
        return ExitCode(ex.StatusCode);
    }

    public static void Write(string line) => Console.Error.WriteLine($"sts: {line}");

    /// <summary>True when the message already names the only violation, as our API's message for one violation does.</summary>
    private static bool SaysItAll(string line, BadRequest badRequest) =>
        badRequest.FieldViolations is [var only] && line.Contains(only.Field, StringComparison.Ordinal) && line.Contains(only.Description, StringComparison.Ordinal);

    private static int ExitCode(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => ExitCodes.InvalidArguments,
        StatusCode.NotFound => ExitCodes.NotFound,
        StatusCode.PermissionDenied or StatusCode.Unauthenticated => ExitCodes.Denied,
        _ => ExitCodes.Failure,
    };
}
