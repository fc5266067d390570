using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// What a backup holds ("backups/{id}/manifest.json"): the dump's SHA-256 and size, the versions it needs, the audit
/// chain head it contains, and every snapshot object with its size and SHA-256 as the database recorded them. Kept in
/// storage, not in the database: a restore rewrites the database, and a bootstrap starts from an empty one.
/// </summary>
public sealed record BackupManifest(
    string Id,
    DateTimeOffset CreatedAt,
    string Reason,
    BackupObject Dump,
    string ServerVersion,
    string SchemaVersion,
    BackupAuditHead? AuditHead,
    IReadOnlyList<BackupFile> Files,
    double DurationSeconds)
{
    public const string FileName = "manifest.json";
    public const string DumpName = "dump.pgc";
    public const string VerificationName = "verification.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>A stored object: size and lower-case hex SHA-256 of its bytes.</summary>
public sealed record BackupObject(long SizeBytes, string Sha256);

/// <summary>
/// One snapshot object. For a file, <see cref="Sha256"/> is of its bytes; for a claim-checked state ("states/..."),
/// it is the snapshot's content hash, which covers the uncompressed JSON (as StorageVerifier checks it).
/// </summary>
public sealed record BackupFile(string Key, Guid SnapshotId, long SizeBytes, string Sha256, bool Gzipped);

public sealed record BackupAuditHead(long Sequence, string Hash, DateTimeOffset At);

/// <summary>The result of the last verification ("backups/{id}/verification.json").</summary>
public sealed record BackupCheck(DateTimeOffset At, bool Ok, long FilesChecked, IReadOnlyList<string> Faults);

/// <summary>A backup as listings show it.</summary>
public sealed record BackupEntry(BackupManifest Manifest, BackupCheck? Check)
{
    public bool Verified => Check is { Ok: true };
}
