namespace Sts.Cli;

/// <summary>Process exit codes, so that scripts can tell a bad request from a missing resource or a refusal.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Everything else: the API failed or was unreachable, a deadline passed, a snapshot failed, a download did not verify.</summary>
    public const int Failure = 1;

    /// <summary>A bad command line, or input the API rejected with INVALID_ARGUMENT.</summary>
    public const int InvalidArguments = 2;

    public const int NotFound = 3;

    /// <summary>UNAUTHENTICATED or PERMISSION_DENIED.</summary>
    public const int Denied = 4;
}
