using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sts.SnapshotApi.Audit;

/// <summary>
/// The hash chain over audit records: hash = SHA-256(previous hash || content), where the
/// content is every field, length-prefixed so that no two different records encode alike.
/// </summary>
public static class AuditChain
{
    public static readonly string GenesisHash = new('0', 64);

    public static string Hash(AuditRow row)
    {
        var sb = new StringBuilder(256);
        Field(sb, row.PreviousHash ?? throw new ArgumentException("An unsealed record has no hash.", nameof(row)));
        Field(sb, (row.Sequence ?? 0).ToString(CultureInfo.InvariantCulture));
        Field(sb, row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        Field(sb, row.Actor);
        Field(sb, row.Action);
        Field(sb, row.RoomId ?? "");
        Field(sb, row.SnapshotId?.ToString("D") ?? "");
        Field(sb, row.Outcome);
        Field(sb, CanonicalMetadata(row.Metadata));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>PostgreSQL's jsonb may reorder keys and respace; hash a form that survives that.</summary>
    public static string CanonicalMetadata(string json) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(
            JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal));

    /// <summary>Checks sealed rows in sequence order, continuing from <paramref name="previous"/> (null at the start of the chain).</summary>
    public static (bool Valid, string Reason) Check(AuditRow? previous, AuditRow row)
    {
        var expectedSequence = (previous?.Sequence ?? 0) + 1;
        if (row.Sequence != expectedSequence)
            return (false, $"sequence {row.Sequence} follows {expectedSequence - 1}: rows are missing");
        if (row.PreviousHash != (previous?.Hash ?? GenesisHash))
            return (false, "previous_hash does not match the hash of the record before it");
        if (row.Hash != Hash(row))
            return (false, "hash does not match the record's content: the record was altered");
        return (true, "");
    }

    private static void Field(StringBuilder sb, string value) =>
        sb.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append(';');
}
