using System.Text.RegularExpressions;

namespace Sts.Shared.Storage;

/// <summary>
/// Storage keys are built only from validated ids, so no id can steer a file outside the store's root.
/// Shape: "rooms/{roomId}/{snapshotId}.{ext}".
/// </summary>
public static partial class StorageKey
{
    public static string For(string roomId, Guid snapshotId, string extension)
    {
        if (!RoomIdPattern().IsMatch(roomId)) throw new ArgumentException($"Room id '{roomId}' is not safe for a storage key.", nameof(roomId));
        if (!ExtensionPattern().IsMatch(extension)) throw new ArgumentException($"Extension '{extension}' is not safe for a storage key.", nameof(extension));
        return $"rooms/{roomId}/{snapshotId:D}{extension}";
    }

    /// <summary>True for keys of the shape <see cref="For"/> makes; stores refuse anything else.</summary>
    public static bool IsValid(string key) => KeyPattern().IsMatch(key);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z")]
    private static partial Regex RoomIdPattern();

    [GeneratedRegex("^\\.[a-z0-9]{1,8}\\z")]
    private static partial Regex ExtensionPattern();

    [GeneratedRegex("^rooms/[A-Za-z0-9][A-Za-z0-9_-]{0,63}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.[a-z0-9]{1,8}\\z")]
    private static partial Regex KeyPattern();
}
