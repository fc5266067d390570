using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace Sts.Tests.Support;

/// <summary>
/// Hostile values for request fields, all drawn from one seeded <see cref="Random"/>: the same seed gives the
/// same values, so a failing case can be rebuilt from its seed alone.
/// </summary>
public sealed class Hostile(int seed)
{
    /// <summary>Short strings that have broken services before: blanks, controls, odd Unicode, paths, SQL, format strings.</summary>
    public static readonly string[] Nasty =
    [
        "", " ", "   ", "\t", "\r\n", "\u00a0", "\u3000",
        "\0", "a\0b", "room\0", "\u0001\u0002\u0003", "\u001b[31mred\u001b[0m", "\u007f", "\u0085", "\u2028", "\a",
        "\ud800", "x\udc00y", "\udbff", "\ud83d", // lone surrogates: protobuf encodes each as U+FFFD
        "\u202eevil\u202c", "\u200b", "a\u200db", "\ufeff", "\ufffd", "\u0301", "👍🏽", "🏳️‍🌈", "مرحبا", "שלום",
        "../../etc/passwd", "..\\..\\windows", "/etc/shadow", "%2e%2e%2f", "a/../b", "..", ".", "~", "C:\\", "\\\\server\\share",
        "' OR 1=1 --", "\"; DROP TABLE rooms;--", "'; SELECT pg_sleep(10);--", "$1", "%", "_", "*", "\\",
        "{0}", "%s%n%x", "${jndi:ldap://x}", "<script>alert(1)</script>", "null", "NaN", "-1", "9999999999999999999",
    ];

    public static readonly int[] Int32Extremes = [int.MinValue, int.MinValue + 1, -1, 0, 1, int.MaxValue - 1, int.MaxValue];

    private static readonly string[] LongAlphabets =
        ["a", "abcdefghijklmnopqrstuvwxyz0123456789-_", "\0\u0001\u001f\u007f", "👍🏽\u200b\u202e", "\ud800", "é\u0301", "%2e/"];

    public Random Rng { get; } = new(seed);

    public bool Chance(double probability) => Rng.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Rng.Next(items.Count)];

    /// <summary>Mostly <paramref name="valid"/>, otherwise a hostile string.</summary>
    public string Or(string valid, double validProbability = 0.6) => Chance(validProbability) ? valid : Text();

    public string Text() => Rng.Next(100) switch
    {
        < 45 => Pick(Nasty),
        < 55 => LongText(),
        < 75 => Mixed(Rng.Next(1, 40)),
        < 85 => Pick(Nasty) + Mixed(Rng.Next(1, 10)) + Pick(Nasty),
        _ => new string('x', Pick([199, 200, 201, 254, 255, 4000, 4001])),
    };

    /// <summary>10,000-100,000 characters of one alphabet, some of it control characters or lone surrogates.</summary>
    public string LongText()
    {
        var alphabet = Pick(LongAlphabets);
        var length = Rng.Next(10_000, 100_001);
        var sb = new StringBuilder(length);
        while (sb.Length < length) sb.Append(alphabet[Rng.Next(alphabet.Length)]);
        return sb.ToString();
    }

    /// <summary>Characters from every class: ASCII, controls, surrogate halves, bidi marks, emoji, combining marks.</summary>
    public string Mixed(int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(Rng.Next(8) switch
            {
                0 => (char)Rng.Next(0, 32),
                1 => (char)Rng.Next(0xd800, 0xe000),
                2 => Pick(['\u202e', '\u200b', '\u200d', '\ufeff', '\u2028', '\u0085']),
                3 => (char)Rng.Next(0x300, 0x370),
                4 => (char)Rng.Next(0x590, 0x700),
                _ => (char)Rng.Next(0x21, 0x7f),
            });
        }
        return sb.ToString();
    }

    public int Number() => Rng.Next(4) switch
    {
        0 => Pick(Int32Extremes),
        1 => Rng.Next(int.MinValue, int.MaxValue),
        _ => Rng.Next(-5, 2_000),
    };

    /// <summary>A defined value most of the time, otherwise any int, cast as proto3 allows.</summary>
    public T Enum<T>() where T : struct, System.Enum
    {
        var defined = System.Enum.GetValues<T>();
        return Chance(0.75) ? Pick(defined) : (T)(object)Pick([.. Int32Extremes, Rng.Next(-100, 100), Rng.Next()]);
    }

    public Guid RandomGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Rng.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>A real id, a random UUID, an almost-UUID or anything at all.</summary>
    public string Uuid(IReadOnlyList<string> real) => Rng.Next(10) switch
    {
        < 4 when real.Count > 0 => Pick(real),
        < 6 => RandomGuid().ToString("D"),
        < 8 => AlmostUuid(real.Count > 0 && Chance(0.5) ? Pick(real) : RandomGuid().ToString("D")),
        _ => Text(),
    };

    public string AlmostUuid(string uuid) => Rng.Next(12) switch
    {
        0 => uuid[..^1],
        1 => uuid + "0",
        2 => "{" + uuid + "}",
        3 => uuid.Replace("-", "", StringComparison.Ordinal),
        4 => "g" + uuid[1..],
        5 => " " + uuid,
        6 => uuid + "\0",
        7 => uuid.ToUpperInvariant(), // still a UUID: Guid parsing ignores case
        8 => System.Guid.Empty.ToString("D"),
        9 => "ffffffff-ffff-ffff-ffff-ffffffffffff",
        10 => string.Concat(uuid.Select(c => char.IsAsciiDigit(c) ? (char)(c - '0' + '\uff10') : c)), // full-width digits
        _ => uuid.Replace('-', '\u2010'),
    };

    /// <summary>A page token: none, a real one, a real one with flipped bytes, random base64 or a hostile string.</summary>
    public string PageToken(IReadOnlyList<string> real) => Rng.Next(10) switch
    {
        < 2 => "",
        < 4 when real.Count > 0 => Pick(real),
        < 6 when real.Count > 0 => FlipBytes(Pick(real)),
        < 8 => RandomBase64(Pick([3, 12, 29, 29, 29, 30, 64, 300])),
        _ => Text(),
    };

    public string FlipBytes(string token)
    {
        var text = token.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        var bytes = Convert.FromBase64String(text);
        for (var flips = Rng.Next(1, 3); flips > 0; flips--)
            bytes[Rng.Next(bytes.Length)] ^= (byte)(1 << Rng.Next(8));
        return UrlBase64(bytes);
    }

    public string RandomBase64(int byteCount)
    {
        var bytes = new byte[byteCount];
        Rng.NextBytes(bytes);
        return Chance(0.5) ? UrlBase64(bytes) : Convert.ToBase64String(bytes);
    }

    public byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        Rng.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Unset, a plain valid time, the protobuf bounds, or just past them.</summary>
    public Timestamp? Timestamp() => Rng.Next(10) switch
    {
        0 => null,
        1 => new Timestamp { Seconds = Pick([-62135596800L, 253402300799L, -62135596801L, 253402300800L, long.MinValue, long.MaxValue, 0L]) },
        2 => new Timestamp { Seconds = 1_800_000_000, Nanos = Pick([-1, 999_999_999, 1_000_000_000, int.MinValue, int.MaxValue]) },
        _ => ValidTimestamp(),
    };

    public Timestamp ValidTimestamp() => new() { Seconds = Rng.NextInt64(946_684_800, 4_102_444_800), Nanos = Rng.Next(1_000_000_000) };

    private static string UrlBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
