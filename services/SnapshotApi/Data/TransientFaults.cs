using System.Net.Sockets;
using Npgsql;

namespace Sts.SnapshotApi.Data;

/// <summary>The one classification of failures that go away by themselves, for calls (UNAVAILABLE) and background loops (retry) alike.</summary>
public static class TransientFaults
{
    /// <summary>
    /// A database, broker or store that is down or restarting. Anything in the chain of inner exceptions counts: a
    /// connection-level Npgsql failure (any NpgsqlException that is not a server error), a server error of class 08
    /// (connection), 53 (resources) or 57 (operator intervention, e.g. a restart), a serialization failure or deadlock,
    /// a timeout, or a socket or I/O error.
    /// </summary>
    public static bool IsTransient(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                                               || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                                               || pg.SqlState.StartsWith("57", StringComparison.Ordinal)
                                               || pg.SqlState is "40001" or "40P01":
                case NpgsqlException and not PostgresException:
                case TimeoutException or SocketException or IOException:
                    return true;
            }
        }
        return false;
    }
}
