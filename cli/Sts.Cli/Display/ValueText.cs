using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;

namespace Sts.Cli.Display;

/// <summary>How values read on screen: enum words as in the protos, UTC times, sizes.</summary>
public static partial class ValueText
{
    /// <summary>An enum value as its proto name without the prefix: Queued → QUEUED, NotServing → NOT_SERVING.</summary>
    public static string Word(System.Enum value) => WordBoundary().Replace(value.ToString(), "_").ToUpperInvariant();

    public static string Time(Timestamp? time) =>
        time is null ? "" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"68.6 KiB", for tables.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => Scaled(bytes, 1024, "KiB"),
        _ => Scaled(bytes, 1024 * 1024, "MiB"),
    };

    /// <summary>"68.6 KiB (70,249 bytes)", for details, where the exact count matters.</summary>
    public static string ExactBytes(long bytes) => bytes < 1024 ? Bytes(bytes) : $"{Bytes(bytes)} ({Number(bytes)} bytes)";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string YesNo(bool value) => value ? "yes" : "no";

    private static string Scaled(long bytes, double unit, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / unit:0.0} {name}");

    [GeneratedRegex("(?<=[a-z])(?=[A-Z])")]
    private static partial Regex WordBoundary();
}
