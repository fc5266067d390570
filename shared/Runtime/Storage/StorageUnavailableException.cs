namespace Sts.Shared.Storage;

/// <summary>
/// The object store did not do what was asked: unreachable, failing, or refusing. An <see cref="IOException"/>, as a
/// failing disk would raise, so callers treat both stores alike: the API answers UNAVAILABLE (its one classification of
/// transient faults counts I/O errors), and the worker retries and finally faults the message.
/// </summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
