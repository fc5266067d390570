namespace Sts.Shared.Hosting;

/// <summary>
/// A setting or a backing service that makes starting pointless (a missing bucket, refused credentials, a queue declared
/// with another type). Its message says what to fix; <see cref="ServiceRunner"/> prints it and exits, instead of the
/// service coming up only to fail every request.
/// </summary>
public sealed class StartupCheckException(string message, Exception? inner = null) : Exception(message, inner);
