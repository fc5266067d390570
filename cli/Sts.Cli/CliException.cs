namespace Sts.Cli;

/// <summary>A failure the CLI detects itself (no signing key, unreadable room file, a download that does not verify), with its exit code.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
