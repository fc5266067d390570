namespace Sts.SnapshotApi.Outbox;

/// <summary>How many of the oldest unsent rows one relay round takes.</summary>
public static class OutboxBatch
{
    /// <summary>
    /// The longest prefix of <paramref name="sizes"/> (payload bytes, oldest first) within <paramref name="maxBytes"/>,
    /// but at least one row: a payload larger than the budget must still be sent, alone.
    /// </summary>
    public static int Take(IReadOnlyList<long> sizes, long maxBytes)
    {
        if (sizes.Count == 0) return 0;
        var total = sizes[0];
        var count = 1;
        while (count < sizes.Count && total + sizes[count] <= maxBytes)
            total += sizes[count++];
        return count;
    }
}
