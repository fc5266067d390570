using System.Text.RegularExpressions;
using Sts.Shared.Text;

namespace Sts.Shared.Storage;

/// <summary>
/// Storage keys are built only from validated ids, so no id can steer an object outside the store's root.
/// Two kinds: snapshot files, "rooms/{roomId}/{snapshotId}.{ext}", and claim-checked frozen room states,
/// "states/{roomId}/{snapshotId}.json.gz".
/// </summary>
public static partial class StorageKey
{
    /// <summary>The top-level folders snapshot objects live under; listings for verification and sweeping cover these.</summary>
    public static readonly string[] Prefixes = [FilePrefix, StatePrefix];

    /// <summary>
    /// Where the API records the head of its sealed audit chain, outside the database, so that removing the newest
    /// records from the database is detectable. Not a snapshot object: listings leave it out.
    /// </summary>
    public const string AuditAnchor = "audit/anchor.json";

    /// <summary>The folder backups of the service live under (never listed with snapshot objects); see <see cref="ForBackup"/>.</summary>
    public const string BackupPrefix = "backups";

    private const string FilePrefix = "rooms";
    private const string StatePrefix = "states";
    private const string StateSuffix = ".json.gz";
    private const string RoomId = SafeId.Pattern;
    private const string Uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    public static string For(string roomId, Guid snapshotId, string extension)
    {
        CheckRoomId(roomId);
        if (!ExtensionPattern().IsMatch(extension)) throw new ArgumentException($"Extension '{extension}' is not safe for a storage key.", nameof(extension));
        return $"{FilePrefix}/{roomId}/{snapshotId:D}{extension}";
    }

    /// <summary>Where a snapshot's frozen room state is kept when it is too large to travel inline (gzip of the canonical JSON).</summary>
    public static string ForState(string roomId, Guid snapshotId)
    {
        CheckRoomId(roomId);
        return $"{StatePrefix}/{roomId}/{snapshotId:D}{StateSuffix}";
    }

    /// <summary>
    /// An object of backup <paramref name="backupId"/>: its own files ("manifest.json", "dump.pgc", ...) or, under
    /// "files/", its copy of a snapshot object (a key of the other shapes).
    /// </summary>
    public static string ForBackup(string backupId, string name)
    {
        var key = $"{BackupPrefix}/{backupId}/{name}";
        if (!BackupKeyPattern().IsMatch(key)) throw new ArgumentException($"'{key}' is not a valid backup key.", nameof(name));
        return key;
    }

    /// <summary>Where backup <paramref name="backupId"/> keeps its copy of the snapshot object <paramref name="objectKey"/>.</summary>
    public static string ForBackupCopy(string backupId, string objectKey)
    {
        if (!FileKeyPattern().IsMatch(objectKey) && !StateKeyPattern().IsMatch(objectKey))
            throw new ArgumentException($"'{objectKey}' is not a snapshot object key.", nameof(objectKey));
        return ForBackup(backupId, "files/" + objectKey);
    }

    /// <summary>True for a backup id as <see cref="ForBackup"/> accepts it.</summary>
    public static bool IsBackupId(string backupId) => BackupIdPattern().IsMatch(backupId);

    /// <summary>True for keys of the shapes <see cref="For"/>, <see cref="ForState"/> and <see cref="ForBackup"/> make, and <see cref="AuditAnchor"/>; stores refuse anything else.</summary>
    public static bool IsValid(string key) =>
        FileKeyPattern().IsMatch(key) || StateKeyPattern().IsMatch(key) || key == AuditAnchor || BackupKeyPattern().IsMatch(key);

    public static bool IsState(string key) => StateKeyPattern().IsMatch(key);

    private static void CheckRoomId(string roomId)
    {
        if (!SafeId.IsValid(roomId)) throw new ArgumentException($"Room id '{roomId}' is not safe for a storage key.", nameof(roomId));
    }

    [GeneratedRegex("^\\.[a-z0-9]{1,8}\\z")]
    private static partial Regex ExtensionPattern();

    [GeneratedRegex("^" + FilePrefix + "/" + RoomId + "/" + Uuid + "\\.[a-z0-9]{1,8}\\z")]
    private static partial Regex FileKeyPattern();

    [GeneratedRegex("^" + StatePrefix + "/" + RoomId + "/" + Uuid + "\\.json\\.gz\\z")]
    private static partial Regex StateKeyPattern();

    private const string BackupId = "[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}";

    [GeneratedRegex("^" + BackupId + "\\z")]
    private static partial Regex BackupIdPattern();

    // A backup's own objects have plain names; its copies are snapshot keys under files/.
    [GeneratedRegex("^" + BackupPrefix + "/" + BackupId + "/(?:[a-z][a-z0-9_-]{0,31}\\.[a-z]{2,5}|files/(?:" + FilePrefix + "/" + RoomId + "/" + Uuid
        + "\\.[a-z0-9]{1,8}|" + StatePrefix + "/" + RoomId + "/" + Uuid + "\\.json\\.gz))\\z")]
    private static partial Regex BackupKeyPattern();
}
