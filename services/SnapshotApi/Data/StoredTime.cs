namespace Sts.SnapshotApi.Data;

/// <summary>PostgreSQL keeps microseconds; values the service hashes or hands out must survive a round trip unchanged.</summary>
public static class StoredTime
{
    public static DateTimeOffset ToStoredPrecision(this DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    public static DateTimeOffset StoredNow(this TimeProvider clock) => clock.GetUtcNow().ToStoredPrecision();
}
